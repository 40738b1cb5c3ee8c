package io.eventml.ingestion;

/**
 * Entry point of the EventML ingestion job. Its pipeline is built by issue #3; until then the jar
 * exists so the build, shading and deployment can be verified, and running it says so instead of
 * pretending to work.
 */
public final class IngestionJob {
    private IngestionJob() {}

    public static void main(String[] args) {
        System.err.println(
                "The EventML ingestion job is not implemented yet (issue #3); nothing was started.");
        System.exit(2);
    }
}
