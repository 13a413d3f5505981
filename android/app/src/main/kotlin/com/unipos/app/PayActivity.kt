package com.unipos.app

import android.app.Activity
import android.content.pm.PackageManager
import android.graphics.BitmapFactory
import android.os.Bundle
import android.os.Handler
import android.os.Looper
import com.unipos.app.policy.AppCaller
import com.unipos.app.policy.CallerVerdict
import com.unipos.app.service.AndroidCallerVerifier
import com.unipos.app.txn.TransactionDispatcher
import com.unipos.app.ui.PayPanel
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.Extras
import com.unipos.sdk.ProgressStage
import com.unipos.sdk.TransResult
import com.unipos.sdk.TransState
import com.unipos.sdk.UniPos
import com.unipos.sdk.UniPosIntents

/**
 * The pay Intent (com.unipos.action.PAY) and the no-UI query (com.unipos.action.QUERY). The
 * caller must start it for result (getCallingPackage() is how it is identified) and is checked
 * against the same allow-list as the service. The result is the contract's Bundle: RESULT_OK only
 * for APPROVED. Leaving the screen does not stop a payment: the caller queries, as the guide says.
 * While the request runs the screen is a [PayPanel]: the app asking, the amount, the stage, the
 * code to scan, and Cancel where the dispatcher takes one.
 */
class PayActivity : Activity(), TransactionDispatcher.Listener {
    private val main = Handler(Looper.getMainLooper())
    private lateinit var runtime: PosRuntime
    private lateinit var panel: PayPanel
    @Volatile private var caller: AppCaller? = null
    @Volatile private var requestId: String? = null
    /** The dispatcher waits for the cashier's pay method (a CHOOSE sale); answered once. */
    @Volatile private var pendingChoice: ((Int?) -> Unit)? = null
    @Volatile private var finished = false

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        runtime = (application as UniPosApplication).runtime
        panel = PayPanel(this, ::cancel, ::choose)
        // The query has no screen of its own: it answers at once.
        if (intent.action != UniPos.ACTION_QUERY) panel.render()

        val calling = callingPackage
            ?: return finishWith(failure(null, ErrorCodes.CALLER_NOT_ALLOWED, "start the pay Intent with startActivityForResult"))
        val intent = intent
        // The caller check and any journal read run off the main thread.
        Thread({ handle(calling, intent) }, "unipos-pay").start()
    }

    private fun handle(calling: String, intent: android.content.Intent) {
        val verdict = AndroidCallerVerifier(this) { AndroidCallerVerifier.policyFor(runtime.settings.allowList()) }
            .verifyPackage(calling)
        if (verdict is CallerVerdict.Rejected) {
            val f = failure(intent.getStringExtra(Extras.REQUEST_ID), ErrorCodes.CALLER_NOT_ALLOWED, "caller not allowed: ${verdict.reason}")
            main.post { finishWith(f) }
            return
        }
        val caller = (verdict as CallerVerdict.Allowed).caller
        this.caller = caller
        if (intent.action == UniPos.ACTION_QUERY) {
            val last = intent.getBooleanExtra(Extras.QUERY_LAST, false)
            val id = intent.getStringExtra(Extras.REQUEST_ID)
            val orderNo = intent.getStringExtra(Extras.ORDER_NO)
            val r = when {
                last -> runtime.dispatcher.queryLast(caller)
                id == null && orderNo != null -> runtime.dispatcher.queryByOrderNo(caller, orderNo)
                else -> runtime.dispatcher.query(caller, id)
            }
            main.post { finishWith(r) }
            return
        }
        val request = UniPosIntents.requestFromIntent(intent)
        requestId = request.requestId
        val shown = PayPanel.Request(labelOf(calling), request.transType, request.payMethod, request.amount)
        main.post { panel.request = shown; panel.render() }
        runtime.dispatcher.addListener(this)
        // Also after a configuration change: the same request id is idempotent (IN_PROGRESS / ALREADY_DONE).
        val start = runtime.dispatcher.start(caller, request)
        when (start.errorCode) {
            ErrorCodes.OK -> {}
            ErrorCodes.REQUEST_IN_PROGRESS, ErrorCodes.REQUEST_ALREADY_DONE ->
                runtime.dispatcher.query(caller, request.requestId).takeUnless { it.state == TransState.PENDING }
                    ?.let { r -> main.post { finishWith(r) } }
            else -> {
                val f = failure(request.requestId, start.errorCode, start.message ?: ErrorCodes.describe(start.errorCode))
                main.post { finishWith(f) }
            }
        }
    }

    /** The calling app's name as the launcher shows it (its package name if it has none). */
    private fun labelOf(pkg: String): CharSequence = try {
        packageManager.getApplicationLabel(packageManager.getApplicationInfo(pkg, 0)).takeIf { it.isNotBlank() } ?: pkg
    } catch (e: PackageManager.NameNotFoundException) {
        pkg
    }

    /** The cashier picked how the customer pays (or cancelled: null); the sale goes on with it. */
    private fun choose(method: Int?) {
        val answer = pendingChoice ?: return
        pendingChoice = null
        if (method != null) {
            panel.stage = ProgressStage.ACCEPTED
            panel.render()
        }
        answer(method)
    }

    /** Cancel pressed: passed to the dispatcher off the main thread (a refusal reads the journal). */
    private fun cancel() {
        if (pendingChoice != null) return choose(null)
        val c = caller ?: return
        val id = requestId ?: return
        panel.cancelledIn = panel.stage
        panel.refused = false
        panel.render()
        Thread({
            if (runtime.dispatcher.cancel(c, id) != ErrorCodes.OK) main.post {
                panel.cancelledIn = null
                panel.refused = true
                panel.render()
            }
        }, "unipos-pay-cancel").start()
    }

    override fun onChoosePayMethod(scope: String, requestId: String, amountFen: Long, answer: (Int?) -> Unit): Boolean {
        if (scope != caller?.scope || requestId != this.requestId || finished) return false
        pendingChoice = answer
        main.post {
            panel.stage = PayPanel.CHOOSING
            panel.render()
        }
        return true
    }

    override fun onDestroy() {
        // Leaving while the cashier was to choose: the sale is cancelled (nothing has started).
        pendingChoice?.invoke(null)
        pendingChoice = null
        runtime.dispatcher.removeListener(this)
        super.onDestroy()
    }

    override fun onProgress(scope: String, requestId: String, stage: Int, message: String) {
        if (scope == caller?.scope && requestId == this.requestId) main.post {
            panel.stage = stage
            panel.render()
        }
    }

    override fun onQrCode(scope: String, requestId: String, codeUrl: String, png: ByteArray) {
        if (scope != caller?.scope || requestId != this.requestId) return
        val bitmap = BitmapFactory.decodeByteArray(png, 0, png.size)
        main.post {
            panel.code = bitmap
            panel.render()
        }
    }

    override fun onResult(scope: String, result: TransResult) {
        if (scope == caller?.scope && result.requestId == requestId) main.post { finishWith(result) }
    }

    private fun finishWith(result: TransResult) {
        if (finished) return
        finished = true
        setResult(UniPosIntents.resultCodeFor(result), UniPosIntents.resultIntent(result))
        finish()
    }

    private fun failure(id: String?, code: Int, text: String) = TransResult().apply {
        version = UniPos.CONTRACT_VERSION
        requestId = id
        state = TransState.FAILED
        errorCode = code
        message = text
    }
}
