package dev.kmap.samples;

import dev.kmap.Kmap;
import dev.kmap.dsl.ScanPlan;
import dev.kmap.dsl.ScanPlanBuilder;
import dev.kmap.dsl.TimingTemplate;
import dev.kmap.engine.HostResult;
import dev.kmap.engine.PortResult;
import dev.kmap.engine.PortState;
import dev.kmap.engine.ScanReport;

import java.util.concurrent.CompletableFuture;

/** kmap from Java: build a plan, scan and wait, or scan in the background. */
public final class JavaApi {
    public static void main(String[] args) throws Exception {
        String target = args.length > 0 ? args[0] : "127.0.0.1";
        String ports = args.length > 1 ? args[1] : "22,80,443";
        ScanPlan plan = new ScanPlanBuilder().targets(target).ports(ports).connect().skipDiscovery().timing(TimingTemplate.T4).build();
        ScanReport report = Kmap.scanBlocking(plan);
        for (HostResult host : report.getHosts()) {
            for (PortResult port : host.getPorts()) {
                if (port.getState() == PortState.OPEN) System.out.println(host.getHost().getAddress() + ": open " + port.getPort());
            }
        }
        CompletableFuture<ScanReport> later = Kmap.scanAsync(plan);   // cancelling the future stops the scan
        System.out.println(later.get().getHosts().size() + " host(s) scanned");
    }
}
