package com.unipos.core

import com.unipos.core.ffi.HostEndpoint
import com.unipos.core.ffi.OutcomeStatus
import com.unipos.core.ffi.QrRefundStatus
import com.unipos.core.ffi.QrStatus
import com.unipos.core.ffi.TlsPin
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.AfterClass
import org.junit.BeforeClass
import org.junit.Test
import java.io.File

/** QR pay by code, dynamic order, refund/void, and the typed errors, against the simulator's QR gateway. */
class QrTest {
    companion object {
        // Payment codes of the simulator: routing prefix + behaviour suffix ("00" paid at once, "03" no funds).
        private const val wechat = "1349195862139267"
        private const val alipay = "287634438256643"
        private lateinit var core: PosCore

        @BeforeClass @JvmStatic fun setUp() { core = open() }
        @AfterClass @JvmStatic fun tearDown() { core.close() }

    private fun open(): PosCore {
        val https = System.getProperty("unipos.https")?.takeIf { it.isNotEmpty() } ?: error("-Dunipos.https missing")
        val ca = System.getProperty("unipos.ca")?.takeIf { it.isNotEmpty() } ?: error("-Dunipos.ca missing")
        val rig = Rig("62969005")
        val config = rig.config.copy(qrGateway = HostEndpoint(https, TlsPin("localhost", File(ca).readText()), emptyList()))
        val core = PosCore.open(config, File(rig.dir, "qr.db").path, Devices(rig.reader, rig.pinPad, rig.printer), rig.keyWrapper).ok()
        runBlocking { core.startup().ok() }
        return core
    }
    }

    @Test fun qr_pay_by_code_refund_void_and_decline() = runBlocking {
        val paid = core.qrPay("qr-pay-1", "order-1", 1_250, "${wechat}00", "coffee").ok()
        assertEquals(paid.message, QrStatus.PAID, paid.status)
        assertEquals(0, paid.errorCode)
        assertEquals("WECHAT", paid.channel)
        assertEquals(1_250L, paid.paidAmount)
        assertFalse(paid.maskedCode!!.contains(wechat.substring(0, 10)))
        // the card-shaped query view and the QR view agree
        assertEquals(OutcomeStatus.APPROVED, core.query("qr-pay-1").ok()!!.status)
        assertEquals(QrStatus.PAID, core.qrQuery("qr-pay-1").ok()!!.status)
        // repeating the request id never pays twice
        assertEquals(paid.outTradeNo, core.qrPay("qr-pay-1", "order-1", 1_250, "${wechat}00").ok().outTradeNo)

        val refund = core.qrRefund("qr-ref-1", "qr-pay-1", 250).ok()
        assertEquals(refund.message, QrRefundStatus.REFUNDED, refund.status)
        assertEquals(250L, refund.refundedTotal)

        val paid2 = core.qrPay("qr-pay-2", "order-2", 800, "${alipay}00").ok()
        assertEquals("ALIPAY", paid2.channel)
        val void = core.qrRefund("qr-void-1", "qr-pay-2", null).ok()
        assertEquals(void.message, QrRefundStatus.REFUNDED, void.status)
        assertTrue(void.void)

        val declined = core.qrPay("qr-pay-3", "order-3", 500, "${wechat}03").ok()
        assertEquals(QrStatus.FAILED, declined.status)
        assertEquals("INSUFFICIENT_FUNDS", declined.gatewayError)
        assertEquals(2002, declined.errorCode)

        // an unroutable code is refused before anything is sent (a caller error, not echoed back)
        val bad = core.qrPay("qr-pay-4", "order-4", 500, "99123456789012345678").failure()
        assertTrue(bad.message, bad.code in 1000..1999)
        assertFalse(bad.message.contains("99123456789012345678"))
    }

    @Test fun dynamic_qr_order_is_created_and_cancelled() = runBlocking {
        val code = core.qrOrderCreate("qr-dyn-1", "order-dyn-1", 990, "lunch").ok()
        assertTrue(code.codeUrl.isNotEmpty())
        assertTrue(code.width > 0)
        assertEquals(0x89.toByte(), code.png[0]) // PNG signature
        assertEquals(QrStatus.IN_PROGRESS, code.outcome.status)
        assertTrue(code.outcome.dynamic)
        val cancelled = core.qrCancel("qr-dyn-1").ok()
        assertNotNull(cancelled.status)
        assertTrue(cancelled.status.toString(), cancelled.status in setOf(QrStatus.CLOSED, QrStatus.REVERSED, QrStatus.REVERSE_PENDING, QrStatus.IN_PROGRESS))
    }

    @Test fun qr_without_gateway_is_unsupported() = runBlocking {
        val plain = Rig("62969005").open()
        val f = plain.qrPay("qr-none", "order-none", 100, "${wechat}00").failure()
        assertEquals(1008, f.code)
        plain.close()
    }
}
