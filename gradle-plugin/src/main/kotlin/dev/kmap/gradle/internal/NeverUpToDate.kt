package dev.kmap.gradle.internal

import org.gradle.api.Task
import org.gradle.api.specs.Spec

/**
 * The up-to-date check of every kmap task: never. A stateless class rather than a lambda, so
 * the configuration cache can store it.
 */
internal object NeverUpToDate : Spec<Task> {
    override fun isSatisfiedBy(element: Task): Boolean = false
}
