using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.AutomationApi.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TeamQuotas : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<decimal>(
                name: "AcceptedMonthlyCost",
                table: "Environments",
                type: "TEXT",
                precision: 18,
                scale: 2,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "TeamQuotas",
                columns: table => new
                {
                    Team = table.Column<string>(type: "TEXT", nullable: false),
                    Dev = table.Column<int>(type: "INTEGER", nullable: true),
                    Staging = table.Column<int>(type: "INTEGER", nullable: true),
                    Prod = table.Column<int>(type: "INTEGER", nullable: true),
                    MonthlyCost = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: true),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TeamQuotas", x => x.Team);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "TeamQuotas");

            migrationBuilder.DropColumn(
                name: "AcceptedMonthlyCost",
                table: "Environments");
        }
    }
}
