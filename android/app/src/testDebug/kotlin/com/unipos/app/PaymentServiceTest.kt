package com.unipos.app

import android.content.Intent
import com.unipos.app.hardware.SimulatedHardware
import com.unipos.app.service.PaymentService
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.IUniPosService
import com.unipos.sdk.ProgressStage
import com.unipos.sdk.Requests
import com.unipos.sdk.TransState
import com.unipos.sdk.UniPos
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowBinder
import java.util.concurrent.CountDownLatch

/**
 * PaymentService through its generated Binder Proxy/Stub (real Parcels), over the real Rust core
 * (libunipos.so through JNA) talking to a real `unipos host run` on loopback.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [30], application = TestApp::class)
class PaymentServiceTest {
    private lateinit var app: TestApp
    private lateinit var service: IUniPosService
    private val card = SimulatedHardware.TEST_CARD

    @Before fun bind() {
        app = RuntimeEnvironment.getApplication() as TestApp
        Merchant.install(app)
        HostSim.clearFaults()
        val binder = Robolectric.buildService(PaymentService::class.java).create().get()
            .onBind(Intent(UniPos.ACTION_BIND_SERVICE))
        service = IUniPosService.Stub.asInterface(RemoteLike(binder))
        app.runtime.dispatcher.awaitIdle(60_000)     // the engine's startup (sign-in, downloads)
        ShadowBinder.setCallingUid(Merchant.UID)
    }

    @After fun close() {
        HostSim.clearFaults()
        app.closeRuntime()
    }

    private fun id(name: String) = "$name-${System.nanoTime()}"

    @Test fun pay_callbacks_query_and_idempotent_repeat() {
        val client = KillableCallback()
        service.registerCallback(client.callback)
        val before = HostSim.available(card)
        val requestId = id("svc-sale")
        val req = Requests.sale(requestId, 1_250, com.unipos.sdk.PayMethod.CARD, orderNo = "A-1001")

        val start = service.startTransaction(req)
        assertEquals(start.message, ErrorCodes.OK, start.errorCode)
        val result = client.awaitResult()
        assertEquals(result.message, TransState.APPROVED, result.state)
        assertEquals(requestId, result.requestId)
        assertEquals(1_250L, result.approvedAmount)
        assertEquals("621234******1232", result.maskedPan)
        assertEquals("A-1001", result.orderNo)
        assertEquals(6, result.traceNo.length)
        val stages = client.progress.filter { it.first == requestId }.map { it.second }
        assertTrue("stages $stages", stages.containsAll(listOf(ProgressStage.ACCEPTED, ProgressStage.WAITING_FOR_CARD, ProgressStage.ONLINE)))
        assertEquals(before - 1_250, HostSim.available(card))

        val queried = service.queryByRequestId(requestId)
        assertEquals(TransState.APPROVED, queried.state)
        assertEquals(result.referenceNo, queried.referenceNo)
        assertEquals(requestId, service.queryLast().requestId)

        // the same id again never starts a second transaction
        assertEquals(ErrorCodes.REQUEST_ALREADY_DONE, service.startTransaction(req).errorCode)
        val changed = Requests.sale(requestId, 9_999, com.unipos.sdk.PayMethod.CARD)
        assertEquals(ErrorCodes.REQUEST_ID_CONFLICT, service.startTransaction(changed).errorCode)
        app.runtime.dispatcher.awaitIdle(10_000)
        assertEquals("charged once", before - 1_250, HostSim.available(card))
        assertTrue(client.results.isEmpty())
        // no card data beyond the masked PAN anywhere in the result
        assertFalse(com.unipos.sdk.BundleCodec.resultToBundle(queried).toString().contains(card))
    }

    /** A card sale's progress texts by stage, as a merchant app receives them. */
    private fun saleProgressTexts(): Map<Int, String?> {
        val client = KillableCallback()
        service.registerCallback(client.callback)
        val requestId = id("svc-texts")
        assertEquals(ErrorCodes.OK, service.startTransaction(Requests.sale(requestId, 300, com.unipos.sdk.PayMethod.CARD)).errorCode)
        assertEquals(TransState.APPROVED, client.awaitResult().state)
        return client.progressTexts.filter { it.first == requestId }.associate { it.second to it.third }
    }

    @Config(qualifiers = "zh-rCN")
    @Test fun progress_texts_are_in_chinese_on_a_chinese_terminal() {
        val texts = saleProgressTexts()
        // The words of the cashier's own screens: a merchant app may show them as they are.
        assertEquals("请插卡、挥卡或刷卡", texts[ProgressStage.WAITING_FOR_CARD])
        assertEquals(app.getString(R.string.stage_online), texts[ProgressStage.ONLINE])
        assertEquals(app.getString(R.string.stage_starting), texts[ProgressStage.ACCEPTED])
        assertTrue("$texts", texts.values.all { t -> t != null && t.any { Character.UnicodeScript.of(it.code) == Character.UnicodeScript.HAN } })
    }

    @Config(qualifiers = "en-rUS")
    @Test fun progress_texts_are_in_english_on_an_english_terminal() {
        val texts = saleProgressTexts()
        assertEquals("Insert, tap or swipe the card", texts[ProgressStage.WAITING_FOR_CARD])
        assertEquals(app.getString(R.string.stage_online), texts[ProgressStage.ONLINE])
        assertTrue("$texts", texts.values.none { t -> t.isNullOrEmpty() || t.any { Character.UnicodeScript.of(it.code) == Character.UnicodeScript.HAN } })
    }

    @Test fun rejected_caller_gets_caller_not_allowed() {
        ShadowBinder.setCallingUid(Merchant.OTHER_UID)
        val start = service.startTransaction(Requests.sale(id("intruder"), 100))
        assertEquals(ErrorCodes.CALLER_NOT_ALLOWED, start.errorCode)
        assertEquals(ErrorCodes.CALLER_NOT_ALLOWED, service.queryLast().errorCode)
        assertEquals(ErrorCodes.CALLER_NOT_ALLOWED, service.cancel("x"))
        try {
            service.registerCallback(KillableCallback().callback)
            fail("registerCallback must throw SecurityException for a rejected caller")
        } catch (e: SecurityException) { /* expected */ }
        assertFalse(app.runtime.dispatcher.isBusy)

        // an app's request ids are its own: the allow-listed app cannot see another scope's id
        ShadowBinder.setCallingUid(Merchant.UID)
        assertEquals(TransState.NOT_FOUND, service.queryByRequestId("intruder-0").state)
    }

    @Test fun client_death_mid_payment_then_query_after_reconnect() {
        val hold = CountDownLatch(1)
        app.sim.holdCardWait = hold
        val dying = KillableCallback()
        service.registerCallback(dying.callback)
        val requestId = id("svc-death")
        assertEquals(ErrorCodes.OK, service.startTransaction(Requests.sale(requestId, 2_000, com.unipos.sdk.PayMethod.CARD)).errorCode)
        waitFor { dying.progress.any { it.first == requestId && it.second == ProgressStage.WAITING_FOR_CARD } }

        // meanwhile: one transaction at a time, and the running one is PENDING
        assertEquals(ErrorCodes.TERMINAL_BUSY, service.startTransaction(Requests.sale(id("svc-other"), 100)).errorCode)
        assertEquals(TransState.PENDING, service.queryByRequestId(requestId).state)
        assertEquals(ErrorCodes.REQUEST_IN_PROGRESS, service.startTransaction(Requests.sale(requestId, 2_000, com.unipos.sdk.PayMethod.CARD)).errorCode)

        dying.kill()                     // the merchant app's process dies while the card is awaited
        hold.countDown()                 // ...and the customer presents the card anyway
        app.runtime.dispatcher.awaitIdle(30_000)
        assertTrue("a dead client gets nothing", dying.results.isEmpty())

        val reconnected = KillableCallback()   // the restarted app binds again and queries first
        service.registerCallback(reconnected.callback)
        val r = service.queryByRequestId(requestId)
        assertEquals(r.message, TransState.APPROVED, r.state)
        assertEquals(2_000L, r.approvedAmount)
    }

    @Test fun cancel_while_waiting_for_the_card() {
        val hold = CountDownLatch(1)
        app.sim.holdCardWait = hold
        val client = KillableCallback()
        service.registerCallback(client.callback)
        val requestId = id("svc-cancel")
        assertEquals(ErrorCodes.NOT_FOUND, service.cancel(requestId))
        service.startTransaction(Requests.sale(requestId, 300, com.unipos.sdk.PayMethod.CARD))
        waitFor { client.progress.any { it.first == requestId && it.second == ProgressStage.WAITING_FOR_CARD } }
        assertEquals(ErrorCodes.OK, service.cancel(requestId))
        val r = client.awaitResult()
        assertEquals(TransState.FAILED, r.state)
        assertEquals(ErrorCodes.CANCELLED, r.errorCode)
        hold.countDown()
    }

    @Test fun a_code_scanned_on_the_terminal_is_awaited_at_stage_4_and_cancel_ends_it() {
        app.sim.holdScan = CountDownLatch(1)
        val client = KillableCallback()
        service.registerCallback(client.callback)
        val requestId = id("svc-scan-cancel")
        service.startTransaction(Requests.sale(requestId, 300, com.unipos.sdk.PayMethod.QR_SCAN))
        // Before, the stage stayed ACCEPTED while the scanner waited, and cancel said 1016.
        waitFor { client.progress.any { it.first == requestId && it.second == ProgressStage.WAITING_FOR_PAYMENT_CODE } }
        assertEquals(ErrorCodes.OK, service.cancel(requestId))
        val r = client.awaitResult()
        assertEquals(r.message, TransState.FAILED, r.state)
        assertEquals(ErrorCodes.CANCELLED, r.errorCode)
        // Cancelled before the core stored anything: a query finds nothing, and the id may be used again.
        assertEquals(TransState.NOT_FOUND, service.queryByRequestId(requestId).state)
    }

    @Test fun a_cancel_wins_over_a_scanner_that_cannot_be_stopped() {
        val hold = CountDownLatch(1)
        app.sim.holdScan = hold
        app.sim.scanIgnoresCancel = true
        val client = KillableCallback()
        service.registerCallback(client.callback)
        val requestId = id("svc-scan-unstoppable")
        service.startTransaction(Requests.sale(requestId, 400, com.unipos.sdk.PayMethod.QR_SCAN))
        waitFor { client.progress.any { it.first == requestId && it.second == ProgressStage.WAITING_FOR_PAYMENT_CODE } }
        assertEquals(ErrorCodes.OK, service.cancel(requestId))
        hold.countDown()                 // ...the scanner reads the customer's code anyway
        val r = client.awaitResult()
        assertEquals(r.message, TransState.FAILED, r.state)
        assertEquals(ErrorCodes.CANCELLED, r.errorCode)
        assertEquals("nothing was sent", TransState.NOT_FOUND, service.queryByRequestId(requestId).state)
    }

    @Test fun the_request_s_card_wait_seconds_end_the_wait_for_the_card() {
        app.sim.holdCardWait = CountDownLatch(1)     // no card comes
        val client = KillableCallback()
        service.registerCallback(client.callback)
        val requestId = id("svc-card-wait")
        val started = System.currentTimeMillis()
        val request = Requests.sale(requestId, 300, com.unipos.sdk.PayMethod.CARD).apply { cardWaitSeconds = 10 }
        assertEquals(ErrorCodes.OK, service.startTransaction(request).errorCode)
        val r = client.awaitResult()
        val took = System.currentTimeMillis() - started
        assertEquals(r.message, TransState.FAILED, r.state)
        assertEquals(ErrorCodes.CARD_WAIT_TIMEOUT, r.errorCode)
        // The simulated reader's own wait is 60 s: the request's 10 s ended it.
        assertTrue("ended after $took ms", took in 10_000..25_000)
    }

    @Test fun cancel_while_the_shown_code_waits_closes_it() {
        val client = KillableCallback()
        service.registerCallback(client.callback)
        val requestId = id("svc-qr-cancel")
        // Amounts ending in 99 fen: the simulated customer never pays; the code would stay 120 s.
        service.startTransaction(Requests.sale(requestId, 1_299, com.unipos.sdk.PayMethod.QR_SHOW))
        // Cancel after the engine's first query (5 s in): the wait goes on while it queries, and so
        // does the right to cancel (a query once turned the stage into RESOLVING, and cancel into 1016).
        waitFor { client.progress.count { it.first == requestId && it.second == ProgressStage.SHOWING_QR_CODE } >= 2 }
        assertEquals(ProgressStage.SHOWING_QR_CODE, client.progress.last { it.first == requestId }.second)
        val pressed = System.currentTimeMillis()
        assertEquals(ErrorCodes.OK, service.cancel(requestId))
        val r = client.awaitResult()
        val took = System.currentTimeMillis() - pressed
        // A closed code is the gateway's "not paid, order closed": no money moved.
        assertEquals(r.message, TransState.DECLINED, r.state)
        assertEquals(ErrorCodes.QR_PAYMENT_CLOSED, r.errorCode)
        assertEquals(0L, r.approvedAmount)
        assertTrue("closed after $took ms", took < 30_000)
        assertEquals(TransState.DECLINED, service.queryByRequestId(requestId).state)
        // Once the result is in, there is nothing left to cancel.
        assertEquals(ErrorCodes.CANCEL_NOT_ALLOWED, service.cancel(requestId))
    }

    @Test fun lost_answer_is_unknown_then_reversed_before_the_next_sale() {
        val client = KillableCallback()
        service.registerCallback(client.callback)
        val before = HostSim.available(card)
        HostSim.loseNextAnswer(app.terminalId)
        val lost = id("svc-lost")
        service.startTransaction(Requests.sale(lost, 777, com.unipos.sdk.PayMethod.CARD))
        val r = client.awaitResult()
        assertEquals(r.message, TransState.UNKNOWN, r.state)
        assertEquals(ErrorCodes.RESULT_UNKNOWN, r.errorCode)
        assertTrue(ErrorCodes.isOutcomeUnknown(service.startTransaction(Requests.sale(lost, 777, com.unipos.sdk.PayMethod.CARD)).errorCode))

        // the next sale reverses the lost one first (DOMAIN rule 2); the query then says FAILED / reversed
        val next = id("svc-next")
        service.startTransaction(Requests.sale(next, 100, com.unipos.sdk.PayMethod.CARD))
        assertEquals(TransState.APPROVED, client.awaitResult().state)
        val resolved = service.queryByRequestId(lost)
        assertEquals(resolved.message, TransState.FAILED, resolved.state)
        assertEquals(ErrorCodes.NO_ANSWER_REVERSED, resolved.errorCode)
        assertEquals(before - 100, HostSim.available(card))
        assertNotEquals(TransState.NOT_FOUND, service.queryByRequestId(next).state)
    }

    private fun waitFor(seconds: Long = 20, condition: () -> Boolean) {
        val until = System.currentTimeMillis() + seconds * 1000
        while (!condition()) {
            if (System.currentTimeMillis() > until) fail("condition not met within $seconds s")
            Thread.sleep(10)
        }
    }
}
