package dev.kmap.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kmap.Kmap;
import dev.kmap.dsl.InvalidSpecException;
import dev.kmap.dsl.ScanPlan;
import dev.kmap.dsl.ScanPlanBuilder;
import dev.kmap.dsl.TimingTemplate;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Java facade: a plan from the Java builder, run blocking and as a CompletableFuture. */
class JavaApiTest {
    @Test
    void scansLoopbackBlockingAndAsync() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int open = server.getLocalPort();
            ScanPlan plan = new ScanPlanBuilder()
                    .targets("127.0.0.1")
                    .ports(String.valueOf(open))
                    .connect()
                    .timing(TimingTemplate.T4)
                    .skipDiscovery()
                    .noDns()
                    .build();

            ScanReport blocking = Kmap.scanBlocking(plan);
            assertEquals(PortState.OPEN, blocking.getHosts().get(0).getPorts().get(0).getState());

            CompletableFuture<ScanReport> future = Kmap.scanAsync(plan);
            ScanReport async = future.get(30, TimeUnit.SECONDS);
            assertEquals(1, async.getHosts().size());
            assertEquals(open, async.getHosts().get(0).getPorts().get(0).getPort());
            assertEquals("syn-ack", async.getHosts().get(0).getPorts().get(0).getReason());
        }
    }

    @Test
    void badInputIsATypedError() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> new ScanPlanBuilder().targets("10.0.0.0/33").build());
        assertEquals("invalid CIDR prefix /33 in \"10.0.0.0/33\" (IPv4 prefixes are 0..32)", e.getMessage());
    }
}
