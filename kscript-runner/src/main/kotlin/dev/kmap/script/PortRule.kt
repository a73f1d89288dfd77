package dev.kmap.script

/**
 * A predicate over a port of a host: the script's action runs where it is true. [Shortport]
 * holds nmap's usual ones; any `PortRuleScope.() -> Boolean` lambda works too.
 *
 * ```kotlin
 * portRule(Shortport.portOrService(listOf(6379), listOf("redis")))
 * portRule { isOpen && port.port in 8000..8999 }
 * ```
 */
public fun interface PortRule {
    /** True when the action should run on [scope]'s port. */
    public fun matches(scope: PortRuleScope): Boolean
}
