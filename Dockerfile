# syntax=docker/dockerfile:1
# The pipeline service of the compose stack: `obsgate stub`, built from this repository.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# Cache mounts keep the registry and target/ between builds without baking them into a layer.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin obsgate \
    && cp target/release/obsgate /usr/local/bin/obsgate

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 obsgate
COPY --from=build /usr/local/bin/obsgate /usr/local/bin/obsgate
USER obsgate
EXPOSE 8000
ENTRYPOINT ["obsgate"]
CMD ["stub", "--listen", "0.0.0.0:8000"]
