# vodsim in an image with nothing else in it: no base image to pull, so it
# builds offline. 'make image' builds the static binary (CGO_ENABLED=0) into
# bin/image/ and uses that folder as the build context.
FROM scratch
COPY vodsim /vodsim
# nobody: vodsim needs no privilege (it listens on ports above 1024).
USER 65534:65534
ENTRYPOINT ["/vodsim"]
CMD ["help"]
