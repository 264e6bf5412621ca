CREATE TABLE "Environments" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Environments" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "Team" TEXT NOT NULL,
    "Tier" TEXT NOT NULL,
    "Target" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "PendingOperationsJson" TEXT NULL,
    "SpecText" TEXT NOT NULL,
    "PlanSummaryJson" TEXT NULL,
    "CostJson" TEXT NULL,
    "OutputsJson" TEXT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "ExpiresAt" INTEGER NULL,
    "DestroyedAt" INTEGER NULL,
    "LastOperationId" TEXT NULL,
    "Version" TEXT NOT NULL
);


CREATE TABLE "Events" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Events" PRIMARY KEY AUTOINCREMENT,
    "OperationId" TEXT NOT NULL,
    "Sequence" INTEGER NOT NULL,
    "Timestamp" INTEGER NOT NULL,
    "Type" TEXT NOT NULL,
    "Message" TEXT NULL,
    "Urn" TEXT NULL,
    "Detail" TEXT NULL
);


CREATE TABLE "IdempotencyKeys" (
    "Key" TEXT NOT NULL CONSTRAINT "PK_IdempotencyKeys" PRIMARY KEY,
    "RequestHash" TEXT NOT NULL,
    "OperationId" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL
);


CREATE TABLE "Operations" (
    "Sequence" INTEGER NOT NULL CONSTRAINT "PK_Operations" PRIMARY KEY AUTOINCREMENT,
    "Id" TEXT NULL,
    "EnvironmentName" TEXT NOT NULL,
    "EnvironmentId" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "State" TEXT NOT NULL,
    "SpecText" TEXT NULL,
    "Origin" TEXT NOT NULL,
    "RecoveryOf" TEXT NULL,
    "RetriedAs" TEXT NULL,
    "Priority" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "StartedAt" INTEGER NULL,
    "FinishedAt" INTEGER NULL,
    "Attempts" INTEGER NOT NULL,
    "ErrorCode" TEXT NULL,
    "ErrorMessage" TEXT NULL,
    "ResultJson" TEXT NULL,
    "CancelRequested" INTEGER NOT NULL,
    "Force" INTEGER NOT NULL,
    "Version" TEXT NOT NULL
);


CREATE UNIQUE INDEX "IX_Environments_Name" ON "Environments" ("Name") WHERE "Status" <> 'Destroyed';


CREATE INDEX "IX_Environments_Team_Name" ON "Environments" ("Team", "Name");


CREATE UNIQUE INDEX "IX_Events_OperationId_Sequence" ON "Events" ("OperationId", "Sequence");


CREATE INDEX "IX_Operations_EnvironmentName" ON "Operations" ("EnvironmentName");


CREATE UNIQUE INDEX "IX_Operations_Id" ON "Operations" ("Id");


CREATE INDEX "IX_Operations_State_Sequence" ON "Operations" ("State", "Sequence");


