package com.unipos.core

import com.unipos.core.ffi.PosException
import com.unipos.core.ffi.errorCodeTable
import com.unipos.sdk.ErrorCodes
import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.FixMethodOrder
import org.junit.Test
import org.junit.runners.MethodSorters
import kotlin.concurrent.thread

/** Error codes: the FFI table equals the AIDL contract's table, and each path maps to its code. */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
class ErrorMappingTest {
    companion object {
        private val rig = Rig("62969003")
        private lateinit var core: PosCore

        @BeforeClass @JvmStatic fun open() { core = rig.open() }
        @AfterClass @JvmStatic fun close() { HostSim.clearFaults(); core.close() }
    }

    @Test fun e01_table_equals_the_contract() {
        // sdk-aidl/src/main/kotlin/com/unipos/sdk/ErrorCodes.kt is compiled into the tests.
        val contract = ErrorCodes::class.java.declaredFields
            .filter { java.lang.reflect.Modifier.isStatic(it.modifiers) && it.type == Int::class.javaPrimitiveType }
            .associate { it.name to it.getInt(null) }
        val table = errorCodeTable()
        assertTrue(table.size >= 20)
        for (e in table) {
            assertEquals("code of ${e.name}", contract[e.name], e.code)
            assertTrue(ErrorCodes.ALL.containsKey(e.code))
        }
    }

    @Test fun e02_not_signed_in() = runBlocking {
        val f = core.sale("err-early", 100).failure()
        assertEquals(1006, f.code)
        assertTrue(f.cause is PosException.NotSignedIn)
        core.startup().ok()
        Unit
    }

    @Test fun e03_invalid_amount_and_request() = runBlocking {
        assertEquals(1009, core.sale("err-amt-0", 0).failure().code)
        assertEquals(1009, core.sale("err-amt-neg", -5).failure().code)
        assertEquals(1001, core.sale("bad id with spaces", 100).failure().code)
        assertEquals(1001, core.void("err-void", 0).failure().code)
        assertEquals(1010, core.refund("err-ref", 100, "999999999999", "0101").failure().code)
    }

    @Test fun e04_callback_that_throws_becomes_a_typed_error() = runBlocking {
        rig.reader.script += "throw"
        val f = core.sale("err-reader-throws", 100).failure()
        assertEquals(f.message, 4003, f.code)
        assertTrue(f.message.contains("reader unplugged") || f.message.contains("IllegalState"))
        rig.reader.script += "timeout"
        assertEquals(4004, core.sale("err-reader-timeout", 100).failure().code)
        // the terminal still works afterwards
        assertEquals(0, core.sale("err-after", 100).ok().errorCode)
    }

    @Test fun e05_pin_pad_failure_and_no_pin() = runBlocking {
        rig.pinPad.pin = null // bypass where a PIN is required (pre-auth)
        val f = core.preAuth("err-nopin", 100).failure()
        assertEquals(f.message, 4005, f.code)
        rig.pinPad.pin = HostDefaults.PIN
    }

    @Test fun e06_cancel_wait() = runBlocking {
        rig.reader.script += "wait"
        val canceller = thread { Thread.sleep(300); core.cancelWait() }
        val f = core.sale("err-cancel", 100).failure()
        canceller.join()
        assertEquals(f.message, 1013, f.code)
    }

    @Test fun e07_printer_out_of_paper_does_not_change_the_outcome() = runBlocking {
        rig.printer.outOfPaper = true
        val o = core.sale("err-paper", 100).ok()
        rig.printer.outOfPaper = false
        assertEquals(0, o.errorCode)
        assertEquals(4001, o.printErrorCode)
    }

    @Test fun e08_host_decline_is_an_outcome_with_a_2xxx_code() = runBlocking {
        HostSim.addFault("""{"terminal_id":"62969003","mti":"0200","count":1,"action":{"type":"respond_with","code":"51"}}""")
        val o = core.sale("err-decline", 100).ok()
        assertEquals(com.unipos.core.ffi.OutcomeStatus.DECLINED, o.status)
        assertEquals("51", o.responseCode)
        assertEquals(2002, o.errorCode)
    }

    @Test fun e09_no_connection() = runBlocking {
        val dead = Rig("62969003").let { r ->
            PosCore.open(r.config.copy(posp = com.unipos.core.ffi.HostEndpoint("127.0.0.1:1", null, emptyList())),
                java.io.File(r.dir, "j.db").path, Devices(r.reader, r.pinPad, r.printer), r.keyWrapper).ok()
        }
        val f = dead.startup().failure()
        assertEquals(f.message, 3001, f.code)
        dead.close()
    }

    @Test fun e10_configuration_errors() {
        val r = Rig("62969003")
        val bad = PosCore.open(r.config.copy(softwareTmkHex = null), java.io.File(r.dir, "x.db").path,
            Devices(r.reader, r.pinPad, r.printer), r.keyWrapper).failure()
        assertEquals(5003, bad.code)
        val badId = PosCore.open(r.config.copy(terminalId = "123"), java.io.File(r.dir, "y.db").path,
            Devices(r.reader, r.pinPad, r.printer), r.keyWrapper).failure()
        assertEquals(5003, badId.code)
    }
}
