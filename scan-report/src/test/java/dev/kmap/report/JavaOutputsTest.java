package dev.kmap.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kmap.Kmap;
import dev.kmap.dsl.OutputFormat;
import dev.kmap.dsl.ScanPlan;
import dev.kmap.dsl.ScanPlanBuilder;
import dev.kmap.engine.ScanReport;
import dev.kmap.report.format.OutputValidation;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Java: the facade writes a plan's outputs, and refuses an unwritable one before scanning. */
class JavaOutputsTest {
    @TempDir
    Path dir;

    @Test
    void blockingAndAsyncScansWriteThePlansOutputs() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            File xml = dir.resolve("java.xml").toFile();
            File json = dir.resolve("java.json").toFile();
            ScanPlan plan = new ScanPlanBuilder()
                    .targets("127.0.0.1").ports(String.valueOf(server.getLocalPort())).connect().skipDiscovery().noDns()
                    .output(OutputFormat.XML, xml.getPath())
                    .output(OutputFormat.JSON, json.getPath())
                    .build();
            ScanReport report = Kmap.scanBlocking(plan);
            assertEquals(1, report.getHosts().size());
            OutputValidation.INSTANCE.assertValidNmapXml(Files.readString(xml.toPath()));
            OutputValidation.INSTANCE.assertValidKmapJson(Files.readString(json.toPath()));

            assertTrue(xml.delete());
            Kmap.scanAsync(plan).get(30, TimeUnit.SECONDS);
            OutputValidation.INSTANCE.assertValidNmapXml(Files.readString(xml.toPath()));
        }
    }

    @Test
    void anUnwritableOutputIsRefusedWithOneLine() {
        ScanPlan plan = new ScanPlanBuilder().targets("127.0.0.1").ports("22").connect()
                .output(OutputFormat.CSV, "/nonexistent/scan.csv").build();
        OutputException e = assertThrows(OutputException.class, () -> Kmap.scanBlocking(plan));
        assertEquals("cannot write --csv output \"/nonexistent/scan.csv\": directory /nonexistent does not exist", e.getMessage());
    }
}
