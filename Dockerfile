# secaudit in a small container image: a build stage with the Rust toolchain, then the binary
# alone on a distroless base (glibc, CA certificates, a non-root user; no shell).
#
#   docker build -t secaudit .
#   docker build --build-arg FEATURES=config-rule -t secaudit .      # with the Config rule mode
#   docker run --rm -v "$PWD:/work" secaudit audit --snapshot /work/snapshot --format json
#   docker run --rm -e AWS_REGION -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN \
#     secaudit audit --region us-east-1 --format json
#
# The Kubernetes and AWS Batch recipes of docs/collect.md run this image.

FROM rust:1.95-slim-bookworm AS build
ARG FEATURES=""
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY rules ./rules
COPY benches ./benches
COPY examples ./examples
RUN cargo build --release --locked --bin secaudit --features "${FEATURES}" \
 && strip target/release/secaudit

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/secaudit /usr/local/bin/secaudit
USER nonroot
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/secaudit"]
CMD ["--help"]
