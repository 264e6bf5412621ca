using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.AutomationApi.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class IdempotencyResponses : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ResponseJson",
                table: "IdempotencyKeys",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ResponseJson",
                table: "IdempotencyKeys");
        }
    }
}
