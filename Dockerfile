# casestatus-sync as a small container image.
#
#   docker build -t casestatus-sync --build-arg GIT_COMMIT=$(git rev-parse --short HEAD) .
#   docker run --rm -v /srv/firms/acme:/firm \
#     --mount type=bind,src=/srv/keys/acme.key,dst=/run/secrets/casestatus/acme,readonly \
#     casestatus-sync --config /firm/casestatus-sync.toml sync all
#
# The API key is never in the image: the firm's config names it in
# casestatus.api_key_file (a Secret volume, a Docker secret, a bind mount).

FROM rust:1-bookworm AS build
WORKDIR /src
# build.rs records the commit when git can see one; in a build context
# without .git, pass it instead.
ARG GIT_COMMIT=""
ENV CASESTATUS_SYNC_GIT_COMMIT=${GIT_COMMIT}
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY templates ./templates
COPY static ./static
COPY askama.toml ./
RUN cargo build --release --locked --bin casestatus-sync

FROM debian:bookworm-slim
# No ca-certificates: the binary uses reqwest with rustls and the Mozilla
# roots compiled in (webpki-roots), not the system's store.
RUN useradd --system --uid 10001 --user-group --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin casestatus-sync
COPY --from=build /src/target/release/casestatus-sync /usr/local/bin/casestatus-sync
USER 10001:10001
# The state files live on a volume (see the Kubernetes example); writes
# elsewhere are not needed, so the root filesystem may be read-only.
ENTRYPOINT ["/usr/local/bin/casestatus-sync"]
CMD ["--help"]
