package io.eventml.learning;

/**
 * Entry point of the EventML learning job. Its pipeline is built by issue #5; until then the jar
 * exists so the build, shading and deployment can be verified, and running it says so instead of
 * pretending to work.
 */
public final class LearningJob {
    private LearningJob() {}

    public static void main(String[] args) {
        System.err.println(
                "The EventML learning job is not implemented yet (issue #5); nothing was started.");
        System.exit(2);
    }
}
