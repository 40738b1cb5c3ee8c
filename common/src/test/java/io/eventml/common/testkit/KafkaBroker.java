package io.eventml.common.testkit;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real single-node Kafka broker (KRaft combined mode: broker and controller in one node), running
 * in this JVM and bound to 127.0.0.1 only.
 *
 * <p>It formats its storage with Kafka's own {@link Formatter} and runs Kafka's own {@link
 * KafkaRaftServer}, the server class behind {@code kafka-server-start}. We do not use Kafka's
 * {@code KafkaClusterTestKit}: it pre-binds its ports on the wildcard address, and our tests bind
 * nothing but loopback.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final String HOST = "127.0.0.1";

    private final Path dataDir;
    private final int brokerPort;
    private final int controllerPort;
    private KafkaRaftServer server;

    private KafkaBroker(Path dataDir, int brokerPort, int controllerPort) {
        this.dataDir = dataDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
    }

    /** Formats a fresh log directory, starts the broker and waits until it serves metadata. */
    public static KafkaBroker start() {
        try {
            int brokerPort = freePort();
            int controllerPort = freePort();
            while (controllerPort == brokerPort) {
                // The OS may hand out the same free port twice in a row.
                controllerPort = freePort();
            }
            KafkaBroker broker =
                    new KafkaBroker(
                            Files.createTempDirectory("eventml-kafka-"),
                            brokerPort,
                            controllerPort);
            broker.startServer();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Kafka broker", e);
        }
    }

    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    private void startServer() {
        Properties props = serverProperties();
        Formatter formatter =
                new Formatter()
                        .setNodeId(1)
                        .setClusterId(Uuid.randomUuid().toString())
                        .setDirectories(List.of(dataDir.toString()))
                        .setMetadataLogDirectory(dataDir.toString())
                        .setReleaseVersion(MetadataVersion.latestProduction())
                        .setControllerListenerName("CONTROLLER")
                        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()));
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + dataDir, e);
        }
        server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
        server.startup();
        awaitReady(Duration.ofSeconds(60));
    }

    private Properties serverProperties() {
        Properties p = new Properties();
        p.putAll(
                Map.ofEntries(
                        Map.entry("process.roles", "broker,controller"),
                        Map.entry("node.id", "1"),
                        Map.entry("controller.quorum.voters", "1@" + HOST + ":" + controllerPort),
                        Map.entry(
                                "listeners",
                                "PLAINTEXT://"
                                        + HOST
                                        + ":"
                                        + brokerPort
                                        + ",CONTROLLER://"
                                        + HOST
                                        + ":"
                                        + controllerPort),
                        Map.entry("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort),
                        Map.entry("controller.listener.names", "CONTROLLER"),
                        Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                        Map.entry(
                                "listener.security.protocol.map",
                                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                        Map.entry("log.dirs", dataDir.toString()),
                        Map.entry("metadata.log.dir", dataDir.toString()),
                        Map.entry("auto.create.topics.enable", "false"),
                        Map.entry("num.partitions", "1"),
                        Map.entry("offsets.topic.replication.factor", "1"),
                        Map.entry("offsets.topic.num.partitions", "2"),
                        Map.entry("transaction.state.log.replication.factor", "1"),
                        Map.entry("transaction.state.log.min.isr", "1"),
                        Map.entry("transaction.state.log.num.partitions", "2"),
                        Map.entry("group.initial.rebalance.delay.ms", "0"),
                        // Transactions past their timeout are aborted within a second (production:
                        // 10 s), so that a test can outlast a short transaction timeout quickly.
                        Map.entry(
                                "transaction.abort.timed.out.transaction.cleanup.interval.ms",
                                "1000"),
                        // A test JVM on two cores can stall for seconds (GC, a MiniCluster catching
                        // up); at the default 9 s the controller would fence its own broker, and a
                        // group coordinator that loses its partition mid-write may stay
                        // unavailable.
                        Map.entry("broker.session.timeout.ms", "60000"),
                        Map.entry("log.cleaner.dedupe.buffer.size", "2097152"),
                        Map.entry("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE))));
        return p;
    }

    /** One question to the broker that succeeds once it is ready for something. */
    private interface Probe {
        boolean ready(Admin admin)
                throws ExecutionException, TimeoutException, InterruptedException;
    }

    /** Waits until the broker serves metadata, then until its group coordinator answers. */
    private void awaitReady(Duration timeout) {
        await(
                "Kafka broker",
                timeout,
                admin -> !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty());
        // The first group request creates __consumer_offsets: the jobs' first offset commits do not
        // race its creation.
        await(
                "group coordinator",
                timeout,
                admin -> {
                    admin.listConsumerGroupOffsets("eventml-broker-ready")
                            .partitionsToOffsetAndMetadata()
                            .get(10, TimeUnit.SECONDS);
                    return true;
                });
    }

    private void await(String what, Duration timeout, Probe probe) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (true) {
                Exception failure = null;
                try {
                    if (probe.ready(admin)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    failure = e;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            what + " at " + bootstrapServers() + " not ready after " + timeout,
                            failure);
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
        deleteRecursively(dataDir);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Best effort: a temporary directory left behind does not affect any result.
        }
    }
}
