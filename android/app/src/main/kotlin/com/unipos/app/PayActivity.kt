package com.unipos.app

import android.app.Activity
import android.graphics.BitmapFactory
import android.os.Bundle
import android.os.Handler
import android.os.Looper
import com.unipos.app.policy.CallerVerdict
import com.unipos.app.service.AndroidCallerVerifier
import com.unipos.app.txn.TransactionDispatcher
import com.unipos.app.ui.ProgressPanel
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.Extras
import com.unipos.sdk.TransResult
import com.unipos.sdk.TransState
import com.unipos.sdk.UniPos
import com.unipos.sdk.UniPosIntents

/**
 * The pay Intent (com.unipos.action.PAY) and the no-UI query (com.unipos.action.QUERY). The
 * caller must start it for result (getCallingPackage() is how it is identified) and is checked
 * against the same allow-list as the service. The result is the contract's Bundle: RESULT_OK only
 * for APPROVED. Leaving the screen does not stop a payment: the caller queries, as the guide says.
 */
class PayActivity : Activity(), TransactionDispatcher.Listener {
    private val main = Handler(Looper.getMainLooper())
    private lateinit var runtime: PosRuntime
    private lateinit var panel: ProgressPanel
    @Volatile private var scope: String? = null
    @Volatile private var requestId: String? = null
    private var finished = false

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        runtime = (application as UniPosApplication).runtime
        panel = ProgressPanel(this) { requestId?.let { id -> scope?.let { runtime.dispatcher.cancel(it, id) } } }
        setContentView(panel.view)

        val caller = callingPackage
            ?: return finishWith(failure(null, ErrorCodes.CALLER_NOT_ALLOWED, "start the pay Intent with startActivityForResult"))
        val intent = intent
        // The caller check and any journal read run off the main thread.
        Thread({ handle(caller, intent) }, "unipos-pay").start()
    }

    private fun handle(caller: String, intent: android.content.Intent) {
        val verdict = AndroidCallerVerifier(this) { AndroidCallerVerifier.policyFor(runtime.settings.allowList()) }
            .verifyPackage(caller)
        if (verdict is CallerVerdict.Rejected) {
            val f = failure(intent.getStringExtra(Extras.REQUEST_ID), ErrorCodes.CALLER_NOT_ALLOWED, "caller not allowed: ${verdict.reason}")
            main.post { finishWith(f) }
            return
        }
        val caller = (verdict as CallerVerdict.Allowed).caller
        val s = caller.scope
        scope = s
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
        runtime.dispatcher.addListener(this)
        // Also after a configuration change: the same request id is idempotent (IN_PROGRESS / ALREADY_DONE).
        val start = runtime.dispatcher.start(caller, request)
        when (start.errorCode) {
            ErrorCodes.OK -> main.post { panel.show("accepted") }
            ErrorCodes.REQUEST_IN_PROGRESS, ErrorCodes.REQUEST_ALREADY_DONE ->
                runtime.dispatcher.query(caller, request.requestId).takeUnless { it.state == TransState.PENDING }
                    ?.let { r -> main.post { finishWith(r) } }
            else -> {
                val f = failure(request.requestId, start.errorCode, start.message ?: ErrorCodes.describe(start.errorCode))
                main.post { finishWith(f) }
            }
        }
    }

    override fun onDestroy() {
        runtime.dispatcher.removeListener(this)
        super.onDestroy()
    }

    override fun onProgress(scope: String, requestId: String, stage: Int, message: String) {
        if (scope == this.scope && requestId == this.requestId) main.post { panel.show(message) }
    }

    override fun onQrCode(scope: String, requestId: String, codeUrl: String, png: ByteArray) {
        if (scope == this.scope && requestId == this.requestId) main.post {
            panel.showCode(BitmapFactory.decodeByteArray(png, 0, png.size), codeUrl)
        }
    }

    override fun onResult(scope: String, result: TransResult) {
        if (scope == this.scope && result.requestId == requestId) main.post { finishWith(result) }
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
