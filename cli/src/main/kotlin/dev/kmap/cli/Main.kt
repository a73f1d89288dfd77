package dev.kmap.cli

import dev.kmap.engine.ScanControl
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlin.system.exitProcess

/** `kmap`: Ctrl-C stops the scan gracefully, so every output still gets the hosts found so far. */
fun main(args: Array<String>) {
    val control = ScanControl()
    val done = CountDownLatch(1)
    val hook = Thread {
        control.stop()
        done.await(5, TimeUnit.SECONDS) // let the scan write its partial results before the JVM exits
    }
    Runtime.getRuntime().addShutdownHook(hook)
    val code = Cli.run(args.toList(), System.out, System.err, control)
    System.out.flush()
    done.countDown()
    exitProcess(code)
}
