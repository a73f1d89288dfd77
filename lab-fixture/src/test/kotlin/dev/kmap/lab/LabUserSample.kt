package dev.kmap.lab

import org.junit.jupiter.api.Test

/** A lab test run only by [LabExtensionTest] (its name keeps Surefire from running it). */
@RequiresLab
class LabUserSample {
    companion object {
        @Volatile
        var ran: Boolean = false
    }

    @Test
    fun usesTheLab(lab: Lab) {
        ran = true
        check(lab.isUp)
    }
}
