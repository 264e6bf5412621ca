using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.AutomationApi.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EnvironmentReads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Environments_Team_Name",
                table: "Environments");

            migrationBuilder.AddColumn<string>(
                name: "SpecViewJson",
                table: "Environments",
                type: "text",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Environments_Name_Id",
                table: "Environments",
                columns: new[] { "Name", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Environments_Team_Name_Id",
                table: "Environments",
                columns: new[] { "Team", "Name", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Environments_Name_Id",
                table: "Environments");

            migrationBuilder.DropIndex(
                name: "IX_Environments_Team_Name_Id",
                table: "Environments");

            migrationBuilder.DropColumn(
                name: "SpecViewJson",
                table: "Environments");

            migrationBuilder.CreateIndex(
                name: "IX_Environments_Team_Name",
                table: "Environments",
                columns: new[] { "Team", "Name" });
        }
    }
}
