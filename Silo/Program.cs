using Ipto.Grains.Hosting;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddIptoInfrastructure(builder.Configuration);
builder.UseOrleans(silo => silo.UseIpto(builder.Configuration));
await builder.Build().RunAsync();
