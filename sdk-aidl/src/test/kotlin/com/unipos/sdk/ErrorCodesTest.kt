package com.unipos.sdk

import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File

/** Plain JVM test (no Android classes): the published error table is stable and documented. */
class ErrorCodesTest {
    private fun declared(): Map<String, Int> = ErrorCodes::class.java.declaredFields
        .filter { java.lang.reflect.Modifier.isStatic(it.modifiers) && it.type == Int::class.javaPrimitiveType }
        .associate { it.name to it.getInt(null) }

    @Test fun everyConstantIsInTheTableOnceAndInItsRange() {
        val consts = declared()
        assertEquals("constants and ALL table differ", consts.values.toSortedSet(), ErrorCodes.ALL.keys.toSortedSet())
        assertEquals("duplicate values", consts.size, consts.values.toSet().size)
        for ((name, v) in consts) {
            assertTrue("$name=$v outside the table's ranges", v == 0 || v in 1001..6999)
            assertFalse("$name has no category", ErrorCodes.category(v) == "unknown")
        }
    }

    @Test fun publishedValuesNeverChange() {
        // The numbers are shared with the Rust core and with every integrator: pin a sample of each range.
        assertEquals(0, ErrorCodes.OK)
        assertEquals(1001, ErrorCodes.INVALID_REQUEST)
        assertEquals(1002, ErrorCodes.REQUEST_IN_PROGRESS)
        assertEquals(1005, ErrorCodes.CALLER_NOT_ALLOWED)
        assertEquals(1006, ErrorCodes.NOT_SIGNED_IN)
        assertEquals(2001, ErrorCodes.HOST_DECLINED)
        assertEquals(3001, ErrorCodes.NO_CONNECTION)
        assertEquals(3002, ErrorCodes.NO_ANSWER_REVERSED)
        assertEquals(3003, ErrorCodes.RESULT_UNKNOWN)
        assertEquals(4001, ErrorCodes.PRINTER_OUT_OF_PAPER)
        assertEquals(5001, ErrorCodes.INTERNAL_ERROR)
        assertEquals(6003, ErrorCodes.SERVICE_DIED)
    }

    @Test fun outcomeUnknownCodesTellTheCallerToQuery() {
        for (c in listOf(ErrorCodes.RESULT_UNKNOWN, ErrorCodes.SERVICE_DIED, ErrorCodes.RESULT_TIMEOUT, ErrorCodes.NO_RESULT)) {
            assertTrue(ErrorCodes.isOutcomeUnknown(c))
        }
        for (c in listOf(ErrorCodes.OK, ErrorCodes.NO_CONNECTION, ErrorCodes.NO_ANSWER_REVERSED, ErrorCodes.HOST_DECLINED)) {
            assertFalse(ErrorCodes.isOutcomeUnknown(c))
        }
    }

    @Test fun integrationGuideDocumentsEveryCode() {
        val path = System.getProperty("unipos.docs") ?: return  // only when run by build-host.sh
        val doc = File(path).readText()
        for ((name, v) in declared()) {
            assertTrue("docs/integration-guide.md lacks the row for $name = $v",
                Regex("\\|\\s*$v\\s*\\|\\s*`?$name`?\\s*\\|").containsMatchIn(doc))
        }
    }
}
