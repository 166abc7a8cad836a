# syntax=docker/dockerfile:1
# Two images from one build: `docker build --target api -t ipto-api .` and `docker build --target silo -t ipto-silo .`
# (docs/operations.md). Both run as the base image's non-root `app` user and keep Ipto:DataDir in /data.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# The project files first, so the restore layer is reused until a package or a reference changes.
COPY Directory.Build.props Directory.Packages.props ./
COPY Grains.Abstractions/Grains.Abstractions.csproj Grains.Abstractions/
COPY Grains/Grains.csproj Grains/
COPY Api/Api.csproj Api/
COPY Silo/Silo.csproj Silo/
RUN dotnet restore Api/Api.csproj && dotnet restore Silo/Silo.csproj
COPY Grains.Abstractions/ Grains.Abstractions/
COPY Grains/ Grains/
COPY Api/ Api/
COPY Silo/ Silo/
# Grains embeds the schema scripts; every process applies them at start-up.
COPY deploy/sql/ deploy/sql/
RUN dotnet publish Api/Api.csproj -c Release --no-restore -p:UseAppHost=false -o /out/api \
 && dotnet publish Silo/Silo.csproj -c Release --no-restore -p:UseAppHost=false -o /out/silo

# curl for HEALTHCHECK only; the aspnet image has no HTTP client of its own.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir /data && chown "$APP_UID" /data
WORKDIR /app
# The base image's HTTP_PORTS would bind a second listener on 8080 next to the ones below (and warn).
ENV ASPNETCORE_HTTP_PORTS="" \
    Ipto__DataDir=/data \
    Ipto__Management__Urls=http://0.0.0.0:9464
VOLUME /data

FROM runtime AS api
COPY --from=build /out/api ./
ENV ASPNETCORE_URLS=http://0.0.0.0:8080
EXPOSE 8080 9464
USER $APP_UID
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS -o /dev/null http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["dotnet", "Ipto.Api.dll"]

FROM runtime AS silo
COPY --from=build /out/silo ./
EXPOSE 11111 30000 9464
USER $APP_UID
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS -o /dev/null http://127.0.0.1:9464/health || exit 1
ENTRYPOINT ["dotnet", "Ipto.Silo.dll"]
