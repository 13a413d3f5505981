package com.unipos.core

import com.unipos.core.ffi.LogLevel
import com.unipos.core.ffi.LogRecord
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import java.util.concurrent.CopyOnWriteArrayList

/** Rust `log` records reach Kotlin, without card numbers, track data, PINs or keys. */
class LogForwardingTest {
    @Test fun records_are_forwarded_and_contain_no_sensitive_data() {
        val records = CopyOnWriteArrayList<LogRecord>()
        val threads = CopyOnWriteArrayList<String>()
        PosCore.setLogger(LogLevel.TRACE) { records += it; threads += Thread.currentThread().name }
        try {
            val rig = Rig("62969005")
            val core = rig.open()
            runBlocking {
                core.startup().ok()
                assertEquals(0, core.sale("log-sale-1", 4_321).ok().errorCode)
                HostSim.addFault("""{"terminal_id":"62969005","mti":"0200","count":1,"action":{"type":"no_answer"}}""")
                core.sale("log-lost-1", 99).failure()
                HostSim.clearFaults()
                core.flushPending().ok()
            }
            core.close()
        } finally {
            PosCore.setLogger(LogLevel.INFO, null)
        }
        assertTrue("some records: ${records.size}", records.size >= 3)
        assertTrue(records.any { it.target.startsWith("unipos") })
        assertTrue(records.any { it.level == LogLevel.WARN || it.level == LogLevel.INFO })
        val forbidden = listOf(
            HostDefaults.CARD,                     // full PAN
            "${HostDefaults.CARD}D",               // track 2
            HostDefaults.TMK_HEX,                  // key
            "pin=${HostDefaults.PIN}", "PIN ${HostDefaults.PIN}",
        )
        for (r in records) for (f in forbidden) assertFalse("leak of $f in: ${r.message}", r.message.contains(f))
        // forwarded on the thread that runs the core call (Dispatchers.IO / runBlocking worker)
        assertTrue(threads.isNotEmpty())
    }

    @Test fun a_throwing_sink_does_not_break_the_core() {
        PosCore.setLogger(LogLevel.TRACE) { throw IllegalStateException("sink broken") }
        try {
            val rig = Rig("62969005")
            val core = rig.open()
            runBlocking { core.startup().ok() }
            core.close()
        } finally {
            PosCore.setLogger(LogLevel.INFO, null)
        }
    }
}
