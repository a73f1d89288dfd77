package dev.kmap.engine

/**
 * The plan asks for something this machine cannot do (a raw scan without privileges, a scan
 * type no module provides). The message is one line naming what and why.
 *
 * ```kotlin
 * try { scan(plan) } catch (e: ScanUnavailableException) { System.err.println("kmap: ${e.message}") }
 * ```
 */
public class ScanUnavailableException(message: String) : RuntimeException(message)
