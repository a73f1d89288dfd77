package dev.kmap.gradle

import org.gradle.api.GradleException

/**
 * The scan could not run or could not be judged (unreadable target file, unresolvable host,
 * missing baseline, raw scan without privileges): a tool error, not a finding, so
 * `ignoreFailures` does not apply.
 *
 * ```kotlin
 * // kmap scan 'staging' could not run: cannot read target file "hosts.txt": hosts.txt (No such file or directory)
 * ```
 */
public class KmapToolException(message: String) : GradleException(message)
