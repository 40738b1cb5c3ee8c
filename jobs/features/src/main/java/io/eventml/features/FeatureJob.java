package io.eventml.features;

/**
 * Entry point of the EventML feature job. Its pipeline is built by issue #4; until then the jar
 * exists so the build, shading and deployment can be verified, and running it says so instead of
 * pretending to work.
 */
public final class FeatureJob {
    private FeatureJob() {}

    public static void main(String[] args) {
        System.err.println(
                "The EventML feature job is not implemented yet (issue #4); nothing was started.");
        System.exit(2);
    }
}
