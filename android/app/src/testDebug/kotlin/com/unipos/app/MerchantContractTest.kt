package com.unipos.app

import android.app.Activity
import android.content.ComponentName
import android.content.Intent
import android.os.Looper
import com.unipos.app.hardware.SimulatedHardware
import com.unipos.app.service.PaymentService
import com.unipos.sdk.BundleCodec
import com.unipos.sdk.Channel
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.IUniPosService
import com.unipos.sdk.PayMethod
import com.unipos.sdk.PrintMode
import com.unipos.sdk.Requests
import com.unipos.sdk.TransRequest
import com.unipos.sdk.TransResult
import com.unipos.sdk.TransState
import com.unipos.sdk.UniPos
import com.unipos.sdk.UniPosClient
import com.unipos.sdk.UniPosIntents
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowBinder
import java.time.Duration

/**
 * Every promise of docs/integration-guide.md §10, tried as a merchant app would: through the
 * generated AIDL Proxy (real Parcels, a binder thread), the SDK's [UniPosClient] bound to the real
 * [PaymentService], and the pay Intent through the real [PayActivity], over the real Rust core and a
 * real `unipos host run` (POSP and QR gateway) on loopback.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [30], application = TestApp::class)
class MerchantContractTest {
    private lateinit var app: TestApp
    private lateinit var service: IUniPosService
    private lateinit var binder: android.os.IBinder

    @Before fun bind() {
        app = RuntimeEnvironment.getApplication() as TestApp
        Merchant.install(app)
        HostSim.clearFaults()
        binder = Robolectric.buildService(PaymentService::class.java).create().get().onBind(Intent(UniPos.ACTION_BIND_SERVICE))
        service = IUniPosService.Stub.asInterface(RemoteLike(binder))
        app.runtime.dispatcher.awaitIdle(60_000)
        asApp(Merchant.UID)
    }

    @After fun close() {
        HostSim.clearFaults()
        app.closeRuntime()
    }

    private fun asApp(uid: Int) = ShadowBinder.setCallingUid(uid)

    private fun id(name: String) = "$name-${System.nanoTime()}"

    /** Starts [req] as the current app and waits for its result through a registered callback. */
    private fun run(req: TransRequest): TransResult {
        val client = KillableCallback()
        service.registerCallback(client.callback)
        try {
            val start = service.startTransaction(req)
            assertEquals(start.message, ErrorCodes.OK, start.errorCode)
            while (true) {
                val r = client.awaitResult(60)
                if (r.requestId == req.requestId) return r
            }
        } finally {
            service.unregisterCallback(client.callback)
        }
    }

    private fun approvedSale(name: String, fen: Long, orderNo: String? = null, printMode: Int = PrintMode.NONE): TransResult {
        val r = run(Requests.sale(id(name), fen, PayMethod.CARD, orderNo = orderNo, printMode = printMode))
        assertEquals(r.message, TransState.APPROVED, r.state)
        return r
    }

    // ---- item 1: scopes and capabilities -------------------------------------------------------

    @Test fun an_app_without_a_capability_gets_capability_not_granted_before_anything_runs() {
        asApp(Merchant.SECOND_UID)   // listed with the default: sale, QR, own queries
        val mine = approvedSale("second-sale", 150)
        val before = HostSim.available(SimulatedHardware.TEST_CARD)
        for (req in listOf(
            Requests.voidSale(id("second-void"), origRequestId = mine.requestId),
            Requests.refund(id("second-refund"), 50, origRequestId = mine.requestId),
            Requests.preAuth(id("second-preauth"), 500),
            Requests.settlement(id("second-settle")),
            Requests.signIn(id("second-signin")),
        )) {
            val start = service.startTransaction(req)
            assertEquals("${req.transType}: ${start.message}", ErrorCodes.CAPABILITY_NOT_GRANTED, start.errorCode)
        }
        assertFalse(app.runtime.dispatcher.isBusy)
        assertEquals("nothing reached the host", before, HostSim.available(SimulatedHardware.TEST_CARD))
        // what it may do still works: its own queries
        assertEquals(TransState.APPROVED, service.queryByRequestId(mine.requestId).state)
    }

    @Test fun an_app_never_sees_or_changes_another_apps_transactions() {
        asApp(Merchant.SECOND_UID)
        val theirs = approvedSale("theirs", 260, orderNo = "THEIRS-1")
        asApp(Merchant.UID)          // may void and refund, but only its own
        assertEquals(TransState.NOT_FOUND, service.queryByRequestId(theirs.requestId).state)
        assertEquals(TransState.NOT_FOUND, service.queryByOrderNo("THEIRS-1").state)
        // by its request id: not this app's
        val byId = service.startTransaction(Requests.voidSale(id("steal-1"), origRequestId = theirs.requestId))
        assertEquals(ErrorCodes.ORIGINAL_NOT_FOUND, byId.errorCode)
        // by trace and by reference number: looked up among this app's transactions only
        val byTrace = run(Requests.voidSale(id("steal-2"), origTraceNo = theirs.traceNo))
        assertEquals(byTrace.message, ErrorCodes.ORIGINAL_NOT_FOUND, byTrace.errorCode)
        val byRef = run(Requests.refund(id("steal-3"), 10, origReferenceNo = theirs.referenceNo, origDate = theirs.transTime.substring(4, 8)))
        assertEquals(byRef.message, ErrorCodes.ORIGINAL_NOT_FOUND, byRef.errorCode)
        asApp(Merchant.SECOND_UID)
        assertEquals("still approved, untouched", TransState.APPROVED, service.queryByRequestId(theirs.requestId).state)
    }

    @Test fun granted_query_and_any_original_reach_other_apps_transactions_and_nothing_else() {
        asApp(Merchant.SECOND_UID)
        val theirs = approvedSale("bo-theirs", 270, orderNo = "BO-THEIRS-${System.nanoTime()}")
        assertEquals("without query: its own last", theirs.requestId, service.queryLast().requestId)
        asApp(Merchant.GRANTED_UID)  // void, refund, query, any_original; no sale, no QR
        // query: the terminal's last transaction and a reprint of any receipt
        assertEquals(theirs.traceNo, service.queryLast().traceNo)
        val printed = app.sim.receipts.size
        assertEquals(TransState.APPROVED, run(Requests.reprint(id("bo-reprint"))).state)
        assertEquals(printed + 1, app.sim.receipts.size)
        assertTrue(app.sim.receipts.last().joinToString("\n").contains(theirs.orderNo))
        // any_original: another app's sale voided by its trace number
        val void = run(Requests.voidSale(id("bo-void"), origTraceNo = theirs.traceNo))
        assertEquals(void.message, TransState.APPROVED, void.state)
        assertEquals(theirs.traceNo, void.origTraceNo)
        assertNull("the original's request id is the other app's, not shown", void.origRequestId)
        // what it is not granted is refused, and nothing runs
        for (req in listOf(Requests.sale(id("bo-sale"), 100, PayMethod.CARD),
                           Requests.qrSaleWithCode(id("bo-qr"), 100, SimulatedHardware.TEST_PAYMENT_CODE))) {
            assertEquals(ErrorCodes.CAPABILITY_NOT_GRANTED, service.startTransaction(req).errorCode)
        }
        // the grant does not open the other app's request ids: those stay in its scope
        assertEquals(TransState.NOT_FOUND, service.queryByRequestId(theirs.requestId).state)
        asApp(Merchant.SECOND_UID)
        assertEquals(TransState.VOIDED, service.queryByRequestId(theirs.requestId).state)
    }

    @Test fun refusals_reach_the_pay_intent_with_the_same_codes() {
        asApp(Merchant.SECOND_UID)
        val mine = approvedSale("intent-refusals", 280)
        // a capability not granted: 1017, nothing started
        val voidId = id("intent-void")
        val (rc, data) = launchPay(UniPosIntents.payIntent(Requests.voidSale(voidId, origRequestId = mine.requestId)), Merchant.SECOND_PACKAGE)
        assertEquals(Activity.RESULT_CANCELED, rc)
        assertEquals(ErrorCodes.CAPABILITY_NOT_GRANTED, data!!.getIntExtra("errorCode", 0))
        assertEquals(ErrorCodes.CAPABILITY_NOT_GRANTED, UniPosIntents.parseResult(voidId, rc, data).errorCode)
        assertEquals(TransState.NOT_FOUND, service.queryByRequestId(voidId).state)
        // another app's original: 1010, by request id and by trace
        asApp(Merchant.UID)
        for (req in listOf(Requests.voidSale(id("intent-steal-id"), origRequestId = mine.requestId),
                           Requests.voidSale(id("intent-steal-trace"), origTraceNo = mine.traceNo))) {
            val (c, d) = launchPay(UniPosIntents.payIntent(req), Merchant.PACKAGE)
            val r = UniPosIntents.parseResult(req.requestId, c, d)
            assertEquals(Activity.RESULT_CANCELED, c)
            assertEquals(r.message, ErrorCodes.ORIGINAL_NOT_FOUND, r.errorCode)
        }
        asApp(Merchant.SECOND_UID)
        assertEquals("untouched", TransState.APPROVED, service.queryByRequestId(mine.requestId).state)
    }

    @Test fun a_reused_request_id_with_a_different_request_is_a_conflict() {
        val first = approvedSale("reuse", 330)
        val changed = Requests.sale(first.requestId, 331, PayMethod.CARD)
        assertEquals(ErrorCodes.REQUEST_ID_CONFLICT, service.startTransaction(changed).errorCode)
        val same = Requests.sale(first.requestId, 330, PayMethod.CARD, printMode = PrintMode.NONE)
        assertEquals(ErrorCodes.REQUEST_ALREADY_DONE, service.startTransaction(same).errorCode)
    }

    // ---- item 2: one registry, the Rust journal -------------------------------------------------

    @Test fun after_a_restart_the_journal_alone_answers_repeats_and_conflicts() {
        val first = approvedSale("restart", 340, orderNo = "RESTART-${System.nanoTime()}")
        assertTrue("no registry of the app's own beside the journal",
            app.getSharedPreferences("unipos.registry", android.content.Context.MODE_PRIVATE).all.isEmpty())
        // the process restarts: a new runtime over the same journal, the service bound again
        app.closeRuntime()
        binder = Robolectric.buildService(PaymentService::class.java).create().get().onBind(Intent(UniPos.ACTION_BIND_SERVICE))
        service = IUniPosService.Stub.asInterface(RemoteLike(binder))
        app.runtime.dispatcher.awaitIdle(60_000)
        assertEquals(TransState.APPROVED, service.queryByRequestId(first.requestId).state)
        assertEquals(first.requestId, service.queryByOrderNo(first.orderNo).requestId)
        val same = Requests.sale(first.requestId, 340, PayMethod.CARD, orderNo = first.orderNo, printMode = PrintMode.NONE)
        assertEquals(ErrorCodes.REQUEST_ALREADY_DONE, service.startTransaction(same).errorCode)
        assertEquals(ErrorCodes.REQUEST_ID_CONFLICT, service.startTransaction(Requests.sale(first.requestId, 341, PayMethod.CARD)).errorCode)
    }

    // ---- item 4: the guide's promises ------------------------------------------------------------

    @Test fun print_mode_is_honoured_and_order_number_and_remark_reach_the_receipt() {
        val printed = app.sim.receipts.size
        approvedSale("print-none", 120, orderNo = "P-NONE", printMode = PrintMode.NONE)
        assertEquals("NONE: the merchant app prints its own receipt", printed, app.sim.receipts.size)
        val req = Requests.sale(id("print-cust"), 130, PayMethod.CARD, orderNo = "P-CUST-9", printMode = PrintMode.CUSTOMER)
            .apply { receiptRemark = "Table 7 - thank you" }
        assertEquals(TransState.APPROVED, run(req).state)
        assertEquals("CUSTOMER: one copy", printed + 1, app.sim.receipts.size)
        val slip = app.sim.receipts.last().joinToString("\n")
        assertTrue(slip, slip.contains("CUSTOMER COPY"))
        assertTrue(slip, slip.contains("P-CUST-9"))
        assertTrue(slip, slip.contains("Table 7 - thank you"))
        assertEquals(TransState.APPROVED, run(Requests.sale(id("print-both"), 140, PayMethod.CARD, printMode = PrintMode.BOTH)).state)
        assertEquals("BOTH: two copies", printed + 3, app.sim.receipts.size)
    }

    @Test fun results_carry_merchant_and_terminal_ids() {
        val r = approvedSale("ids", 170)
        assertEquals("301310048990001", r.merchantId)
        assertEquals(app.terminalId, r.terminalId)
        val q = service.queryByRequestId(r.requestId)
        assertEquals("301310048990001", q.merchantId)
        assertEquals(app.terminalId, q.terminalId)
    }

    @Test fun a_voided_sale_reads_voided_and_the_void_names_its_original() {
        val sale = approvedSale("to-void", 180)
        val void = run(Requests.voidSale(id("the-void"), origRequestId = sale.requestId))
        assertEquals(void.message, TransState.APPROVED, void.state)
        assertEquals(sale.requestId, void.origRequestId)
        assertEquals(sale.traceNo, void.origTraceNo)
        val again = service.queryByRequestId(sale.requestId)
        assertEquals(TransState.VOIDED, again.state)
        assertEquals(sale.requestId, service.queryByRequestId(void.requestId).origRequestId)
    }

    @Test fun reprint_without_an_original_reprints_only_the_callers_own_last_receipt() {
        approvedSale("mine-last", 190, orderNo = "MINE-LAST")
        asApp(Merchant.SECOND_UID)
        approvedSale("their-last", 200, orderNo = "THEIR-LAST")
        asApp(Merchant.UID)
        val printed = app.sim.receipts.size
        assertEquals(TransState.APPROVED, run(Requests.reprint(id("reprint"))).state)
        assertEquals(printed + 1, app.sim.receipts.size)
        val slip = app.sim.receipts.last().joinToString("\n")
        assertTrue(slip, slip.contains("MINE-LAST"))
        assertFalse(slip, slip.contains("THEIR-LAST"))
    }

    @Test fun query_by_the_merchants_own_order_number_through_aidl_and_intent() {
        val sale = approvedSale("by-order", 210, orderNo = "ORD-${System.nanoTime()}")
        val q = service.queryByOrderNo(sale.orderNo)
        assertEquals(sale.requestId, q.requestId)
        assertEquals(TransState.APPROVED, q.state)
        val (code, data) = launchPay(UniPosIntents.queryByOrderNoIntent(sale.orderNo), Merchant.PACKAGE)
        assertEquals(sale.requestId, UniPosIntents.parseResult(sale.requestId, code, data).requestId)
        assertEquals(TransState.NOT_FOUND, service.queryByOrderNo("no-such-order").state)
    }

    @Test fun an_unknown_outcome_is_resolved_by_the_background_flush_without_another_transaction() {
        HostSim.loseNextAnswer(app.terminalId)
        val lost = run(Requests.sale(id("lost"), 777, PayMethod.CARD))
        assertEquals(lost.message, TransState.UNKNOWN, lost.state)
        val until = System.currentTimeMillis() + 30_000
        var now = service.queryByRequestId(lost.requestId)
        while (now.state == TransState.UNKNOWN && System.currentTimeMillis() < until) {
            Thread.sleep(200)
            now = service.queryByRequestId(lost.requestId)
        }
        assertEquals(now.message, TransState.FAILED, now.state)
        assertEquals(ErrorCodes.NO_ANSWER_REVERSED, now.errorCode)
        assertTrue("resolved within 30 s, no new transaction needed", System.currentTimeMillis() < until)
    }

    @Test fun a_code_scanned_by_the_merchant_app_is_handed_in_and_qr_refunds_work_through_aidl_and_intent() {
        val code = SimulatedHardware.TEST_PAYMENT_CODE
        val paid = run(Requests.qrSaleWithCode(id("qr-own-scan"), 900, code, orderNo = "QR-${System.nanoTime()}"))
        assertEquals(paid.message, TransState.APPROVED, paid.state)
        assertEquals(Channel.WECHAT, paid.channel)
        assertNotNull(paid.qrOrderNo)
        assertFalse("the payment code never comes back", BundleCodec.resultToBundle(paid).toString().contains(code))
        // partial QR refund by the payment's request id, through the AIDL
        val refund = run(Requests.refund(id("qr-refund"), 300, origRequestId = paid.requestId))
        assertEquals(refund.message, TransState.APPROVED, refund.state)
        assertEquals(300L, refund.approvedAmount)
        assertEquals(paid.requestId, refund.origRequestId)
        // and by the QR order number, through the pay Intent
        val viaIntent = id("qr-refund-intent")
        val (rc, data) = launchPay(UniPosIntents.payIntent(Requests.refund(viaIntent, 200, origQrOrderNo = paid.qrOrderNo)), Merchant.PACKAGE)
        val r = UniPosIntents.parseResult(viaIntent, rc, data)
        assertEquals(r.message, TransState.APPROVED, r.state)
        assertEquals(Activity.RESULT_OK, rc)
        assertEquals(TransState.APPROVED, service.queryByRequestId(viaIntent).state)
    }

    @Test fun pay_or_recover_reports_a_conflict_never_the_old_result() {
        val component = ComponentName(UniPos.SERVICE_PACKAGE, "com.unipos.app.service.PaymentService")
        shadowOf(app).setComponentNameAndServiceForBindService(component, RemoteLike(binder))
        val results = ArrayList<TransResult>()
        val client = UniPosClient(app, object : UniPosClient.Listener {
            override fun onResult(result: TransResult) { results += result }
        })
        client.connect()
        idle()
        assertTrue(client.isConnected)
        val first = Requests.sale(id("recover"), 410, PayMethod.CARD, printMode = PrintMode.NONE)
        assertEquals(ErrorCodes.OK, client.payOrRecover(first).errorCode)
        val until = System.currentTimeMillis() + 60_000
        while (results.isEmpty() && System.currentTimeMillis() < until) { idle(); Thread.sleep(20) }
        assertEquals(TransState.APPROVED, results.single().state)
        val changed = Requests.sale(first.requestId, 999, PayMethod.CARD)
        assertEquals(ErrorCodes.REQUEST_ID_CONFLICT, client.payOrRecover(changed).errorCode)
        shadowOf(Looper.getMainLooper()).idleFor(Duration.ofSeconds(5))
        assertEquals("the old result is not handed out for the changed request", 1, results.size)
        client.disconnect()
    }

    @Test fun an_unlisted_app_is_refused_everywhere() {
        asApp(Merchant.OTHER_UID)
        assertEquals(ErrorCodes.CALLER_NOT_ALLOWED, service.startTransaction(Requests.sale(id("unlisted"), 100)).errorCode)
        assertEquals(ErrorCodes.CALLER_NOT_ALLOWED, service.queryByOrderNo("x").errorCode)
        try {
            service.registerCallback(KillableCallback().callback)
            fail("registerCallback must throw SecurityException")
        } catch (e: SecurityException) { /* expected */ }
        val (code, data) = launchPay(UniPosIntents.payIntent(Requests.sale(id("unlisted-i"), 100)), Merchant.OTHER_PACKAGE)
        assertEquals(Activity.RESULT_CANCELED, code)
        assertEquals(ErrorCodes.CALLER_NOT_ALLOWED, data!!.getIntExtra("errorCode", 0))
    }

    private fun idle() = shadowOf(Looper.getMainLooper()).idle()

    /** Starts PayActivity as [caller] would with startActivityForResult; returns (resultCode, data). */
    private fun launchPay(intent: Intent, caller: String): Pair<Int, Intent?> {
        val controller = Robolectric.buildActivity(PayActivity::class.java, intent)
        val activity = controller.get()
        shadowOf(activity).setCallingPackage(caller)
        controller.create()
        val until = System.currentTimeMillis() + 60_000
        while (!activity.isFinishing && System.currentTimeMillis() < until) {
            idle()
            Thread.sleep(10)
        }
        check(activity.isFinishing) { "PayActivity did not finish" }
        return shadowOf(activity).resultCode to shadowOf(activity).resultIntent
    }
}
