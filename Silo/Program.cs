using Ipto.Grains.Hosting;
using Ipto.Silo;
using Microsoft.Extensions.Hosting;

// A silo serves no HTTP unless Ipto:Management:Urls names its operators' listener (health, readiness, metrics).
var builder = WebApplication.CreateBuilder(args);
var ipto = builder.Configuration.ReadIptoOptions();
var management = ManagementListener.Parse(ipto.Management.Urls);
builder.Logging.AddIptoConsole(ipto);
builder.Services.AddIptoInfrastructure(builder.Configuration);
builder.Services.AddIptoTelemetry(builder.Configuration, "ipto-silo");
builder.UseOrleans(silo => silo.UseIpto(builder.Configuration));
if (management is null)
{
    builder.Services.AddSingleton<Microsoft.AspNetCore.Hosting.Server.IServer, NoServer>();
}
else
{
    builder.WebHost.UseUrls(management.Url.ToString().TrimEnd('/'));
}

var app = builder.Build();
if (management is not null) app.MapSiloManagement();
await app.RunAsync();
