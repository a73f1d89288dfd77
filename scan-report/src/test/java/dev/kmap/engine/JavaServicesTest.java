package dev.kmap.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kmap.Kmap;
import dev.kmap.dsl.ScanPlan;
import dev.kmap.dsl.ScanPlanBuilder;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** An in-house probe from the Java builder, run against a loopback server. */
class JavaServicesTest {
    @Test
    void inHouseProbeFromJava() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    final Socket c;
                    try { c = server.accept(); } catch (Exception e) { return; }
                    Thread h = new Thread(() -> {
                        try (c) {
                            byte[] buf = new byte[64];
                            int n = c.getInputStream().read(buf);
                            OutputStream out = c.getOutputStream();
                            if (n > 0 && new String(buf, 0, n, StandardCharsets.ISO_8859_1).startsWith("HELLO")) out.write("ACME 2.5 ready\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        } catch (Exception e) {
                            // the scanner closed first
                        }
                    });
                    h.setDaemon(true);
                    h.start();
                }
            });
            t.setDaemon(true);
            t.start();
            int port = server.getLocalPort();
            ScanPlan plan = new ScanPlanBuilder()
                    .targets("127.0.0.1").ports(String.valueOf(port)).connect().skipDiscovery().noDns()
                    .services(s -> s.probe("acme", p -> {
                        p.tcp(port);
                        p.send("HELLO\r\n");
                        p.match("^ACME (\\d+\\.\\d+)", m -> { m.setProduct("Acme"); m.setVersion(m.group(1)); });
                    }))
                    .build();
            PortResult r = Kmap.scanBlocking(plan).getHosts().get(0).getPorts().get(0);
            assertEquals("acme", r.getService());
            assertEquals("Acme", r.getServiceInfo().getProduct());
            assertEquals("2.5", r.getServiceInfo().getVersion());
            assertEquals("acme", r.getServiceInfo().getProbe());
        }
    }
}
