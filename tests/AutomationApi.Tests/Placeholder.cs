namespace Platform.AutomationApi.Tests;
