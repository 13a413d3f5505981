package com.unipos.core

import com.unipos.core.ffi.OutcomeStatus
import com.unipos.core.ffi.ProgressEvent
import com.unipos.core.ffi.TxnKind
import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.FixMethodOrder
import org.junit.Test
import org.junit.runners.MethodSorters
import java.util.concurrent.CopyOnWriteArrayList

/**
 * A cashier's day on one terminal against the real host simulator, through the Kotlin wrapper
 * and Kotlin-implemented devices. Ordered: each step builds on the previous one.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
class CardFlowTest {
    companion object {
        private val rig = Rig("62969002")
        private lateinit var core: PosCore
        private val events = CopyOnWriteArrayList<ProgressEvent>()
        private var saleTrace = 0
        private lateinit var refundable: com.unipos.core.ffi.Outcome

        @BeforeClass @JvmStatic fun open() {
            HostSim.clearFaults()
            core = rig.open()
            core.setProgressListener { events += it }
        }

        @AfterClass @JvmStatic fun close() {
            HostSim.clearFaults()
            core.close()
        }
    }

    @Test fun t01_startup() = runBlocking {
        assertFalse(core.isReady)
        val report = core.startup().ok()
        assertTrue(core.isReady)
        assertTrue("batch ${report.batch}", report.batch > 0)
        assertTrue(events.any { it is ProgressEvent.Startup })
    }

    @Test fun t02_card_sale_with_kotlin_reader_and_pin_pad() = runBlocking {
        val before = HostSim.available(HostDefaults.CARD)
        val o = core.sale("flow-sale-1", 1_234).ok()
        assertEquals(o.message, OutcomeStatus.APPROVED, o.status)
        assertEquals(0, o.errorCode)
        assertEquals(TxnKind.SALE, o.kind)
        assertEquals(1_234L, o.approvedAmount)
        assertEquals("621234******1232", o.maskedPan)
        assertEquals("00", o.responseCode)
        assertNotNull(o.rrn)
        assertEquals(0, o.printErrorCode)
        saleTrace = o.trace
        // the devices were driven from Rust: a card prompt with the amount, a PIN request with masked PAN only
        assertEquals(1_234L, rig.reader.prompts.last().amount)
        val pin = rig.pinPad.requests.last()
        assertEquals("621234******1232", pin.maskedPan)
        assertEquals("234567890123", pin.panBlockDigits)
        assertTrue(rig.printer.receipts.isNotEmpty())
        assertFalse(rig.printer.receipts.flatten().any { it.contains(HostDefaults.CARD) })
        assertTrue(events.any { it == ProgressEvent.WaitingForCard })
        assertTrue(events.any { it is ProgressEvent.Sending })
        assertEquals(before - 1_234, HostSim.available(HostDefaults.CARD))
        // idempotency: the same request id returns the stored outcome, no second charge
        val again = core.sale("flow-sale-1", 1_234).ok()
        assertEquals(o.trace, again.trace)
        assertEquals(before - 1_234, HostSim.available(HostDefaults.CARD))
    }

    @Test fun t03_void() = runBlocking {
        val before = HostSim.available(HostDefaults.CARD)
        val o = core.void("flow-void-1", saleTrace).ok()
        assertEquals(o.message, OutcomeStatus.APPROVED, o.status)
        assertEquals(TxnKind.SALE_VOID, o.kind)
        assertEquals(before + 1_234, HostSim.available(HostDefaults.CARD))
        // voiding twice is a rule violation: 1011, nothing sent
        val f = core.void("flow-void-2", saleTrace).failure()
        assertEquals(f.message, 1011, f.code)
    }

    @Test fun t04_refund() = runBlocking {
        refundable = core.sale("flow-sale-2", 5_000).ok()
        assertEquals(OutcomeStatus.APPROVED, refundable.status)
        val r = core.refund("flow-refund-1", 2_000, refundable.rrn!!, refundable.date).ok()
        assertEquals(r.message, OutcomeStatus.APPROVED, r.status)
        assertEquals(TxnKind.REFUND, r.kind)
        val over = core.refund("flow-refund-2", 3_001, refundable.rrn!!, refundable.date).failure()
        assertEquals(over.message, 1012, over.code)
    }

    @Test fun t05_balance_inquiry_and_queries() = runBlocking {
        val b = core.balanceInquiry("flow-balance-1").ok()
        assertEquals(OutcomeStatus.APPROVED, b.status)
        assertNotNull(b.balance)
        val q = core.query("flow-sale-2").ok()!!
        assertEquals(refundable.trace, q.trace)
        assertEquals(null, core.query("never-seen").ok())
        assertEquals("flow-balance-1", core.queryLast().ok()!!.requestId)
        val journal = core.journal(10).ok()
        assertTrue(journal.size >= 5)
        assertTrue(journal.all { it.maskedPan == null || it.maskedPan!!.contains("*") })
        val lines = core.reprint(refundable.trace).ok()
        assertTrue(lines.isNotEmpty())
    }

    @Test fun t06_lost_answer_then_reversal() = runBlocking {
        val before = HostSim.available(HostDefaults.CARD)
        HostSim.addFault("""{"terminal_id":"62969002","mti":"0200","count":1,"action":{"type":"no_answer"}}""")
        val f = core.sale("flow-lost-1", 777).failure()
        assertEquals(f.message, 3003, f.code)
        assertTrue(f.outcomeUnknown)
        val pending = core.query("flow-lost-1").ok()!!
        assertEquals(OutcomeStatus.REVERSAL_PENDING, pending.status)
        assertEquals(3003, pending.errorCode)
        // the host did charge (the answer was lost), until the reversal
        assertEquals(before - 777, HostSim.available(HostDefaults.CARD))
        val flush = core.flushPending().ok()
        assertEquals(1, flush.reversalsSent)
        val reversed = core.query("flow-lost-1").ok()!!
        assertEquals(OutcomeStatus.REVERSED, reversed.status)
        assertEquals(3002, reversed.errorCode)
        assertEquals(before, HostSim.available(HostDefaults.CARD))
    }

    @Test fun t07_pre_authorization_family() = runBlocking {
        val pa = core.preAuth("flow-pa-1", 10_000).ok()
        assertEquals(pa.message, OutcomeStatus.APPROVED, pa.status)
        val comp = core.completion("flow-comp-1", 11_000, pa.authCode!!, pa.date).ok()
        assertEquals(comp.message, OutcomeStatus.APPROVED, comp.status)
        val over = core.completion("flow-comp-2", 20_000, pa.authCode!!, pa.date).failure()
        assertTrue(over.message, over.code in setOf(1011, 1012))
        val cv = core.completionVoid("flow-compvoid-1", comp.trace).ok()
        assertEquals(cv.message, OutcomeStatus.APPROVED, cv.status)
        val pv = core.preAuthVoid("flow-pavoid-1", pa.authCode!!, pa.date).ok()
        assertEquals(pv.message, OutcomeStatus.APPROVED, pv.status)
    }

    @Test fun t09_settlement() = runBlocking {
        val report = core.settle().ok()
        assertTrue("balanced", report.balanced)
        assertTrue(report.byKind.any { it.name == "sale" && it.count >= 1 })
        assertTrue(events.any { it is ProgressEvent.Settlement })
        val printed = core.printSettlement(report.batch).ok()
        assertTrue(printed.isNotEmpty())
    }

    /**
     * Keys at rest across a restart, through the Kotlin key-wrapping callback (here the JVM
     * stand-in): no TMK or card number in clear beside the database, the TMK not given again,
     * resume() instead of a full startup, the sealed card number still opens (the void checks it),
     * and a wrapper that cannot unwrap (a lost keystore key) is a clear refusal.
     */
    @Test fun t10_keys_at_rest_across_a_restart() = runBlocking {
        val db = java.io.File(rig.dir, "journal.db").path
        val sale = core.sale("flow-kar-1", 321).ok()
        assertEquals(OutcomeStatus.APPROVED, sale.status)
        core.close()

        val pan = HostDefaults.CARD.toByteArray()
        for (f in rig.dir.listFiles()!!) {
            val bytes = f.readBytes()
            val text = String(bytes, Charsets.ISO_8859_1).uppercase()
            assertFalse("TMK in clear in ${f.name}", text.contains(HostDefaults.TMK_HEX))
            assertFalse("card number in clear in ${f.name}", text.contains(HostDefaults.CARD))
            assertFalse(bytes.size >= pan.size && (0..bytes.size - pan.size).any { i -> pan.indices.all { bytes[i + it] == pan[it] } })
        }
        assertTrue(java.io.File("$db.datakey").exists() && java.io.File("$db.secmod").exists())

        core = PosCore.open(rig.config.copy(softwareTmkHex = null), db, Devices(rig.reader, rig.pinPad, rig.printer), rig.keyWrapper).ok()
        assertFalse(core.isReady)
        core.resume().ok()
        assertTrue(core.isReady)
        val void = core.void("flow-kar-1-void", sale.trace).ok()
        assertEquals(void.message, OutcomeStatus.APPROVED, void.status)

        val lost = object : com.unipos.core.ffi.KeyWrapper {
            override fun wrap(plain: ByteArray): ByteArray = throw com.unipos.core.ffi.CallbackException.Failed("keystore unavailable")
            override fun unwrap(wrapped: ByteArray): ByteArray = throw IllegalStateException("KeyPermanentlyInvalidatedException")
        }
        val refused = PosCore.open(rig.config.copy(softwareTmkHex = null), db, Devices(rig.reader, rig.pinPad, rig.printer), lost).failure()
        assertEquals(5003, refused.code)
        assertTrue(refused.message, refused.message.contains("datakey"))
        val other = PosCore.open(rig.config.copy(softwareTmkHex = null), db, Devices(rig.reader, rig.pinPad, rig.printer),
            SoftwareKeyWrapper(java.io.File(rig.dir, "other.kek"))).failure()
        assertEquals(5003, other.code)
    }
}
