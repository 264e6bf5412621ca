using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.AutomationApi.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OperationLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "KillRequested",
                table: "Operations",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "LeaseExpiresAt",
                table: "Operations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LeaseOwner",
                table: "Operations",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "KillRequested",
                table: "Operations");

            migrationBuilder.DropColumn(
                name: "LeaseExpiresAt",
                table: "Operations");

            migrationBuilder.DropColumn(
                name: "LeaseOwner",
                table: "Operations");
        }
    }
}
