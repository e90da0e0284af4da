# Multi-stage build: compile in the Rust image, run in a slim Debian with the binary only.
# Templates, migrations and the stylesheet are compiled into the binary.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY benches ./benches
RUN cargo build --release --locked --no-default-features --bin parkcert

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/parkcert parkcert \
 && mkdir -p /var/lib/parkcert && chown parkcert /var/lib/parkcert
COPY --from=build /src/target/release/parkcert /usr/local/bin/parkcert
USER parkcert
WORKDIR /var/lib/parkcert
ENV PARKCERT_BIND=0.0.0.0:8080 \
    PARKCERT_DATA_DIR=/var/lib/parkcert
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["parkcert"]
CMD ["serve"]
