using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.AutomationApi.Storage.Migrations.Postgres
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
                type: "numeric(18,2)",
                precision: 18,
                scale: 2,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "TeamQuotas",
                columns: table => new
                {
                    Team = table.Column<string>(type: "text", nullable: false),
                    Dev = table.Column<int>(type: "integer", nullable: true),
                    Staging = table.Column<int>(type: "integer", nullable: true),
                    Prod = table.Column<int>(type: "integer", nullable: true),
                    MonthlyCost = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: true),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedBy = table.Column<string>(type: "text", nullable: false)
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
