package com.unipos.app.service

import android.app.Service
import android.content.Intent
import android.os.IBinder
import android.os.RemoteCallbackList
import android.os.RemoteException
import android.util.Log
import com.unipos.app.UniPosApplication
import com.unipos.app.policy.CallerVerdict
import com.unipos.app.txn.TransactionDispatcher
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.IUniPosCallback
import com.unipos.sdk.IUniPosService
import com.unipos.sdk.StartResult
import com.unipos.sdk.TransRequest
import com.unipos.sdk.TransResult
import com.unipos.sdk.UniPos

/**
 * The bound service third-party apps call (IUniPosService). Thin: every call checks the caller,
 * then hands over to the process-wide [TransactionDispatcher]. Callbacks live in a
 * RemoteCallbackList keyed by the caller's scope (its cookie), so an app hears only its own
 * transactions, and a dead client is dropped without touching the transaction.
 */
class PaymentService : Service() {
    private lateinit var dispatcher: TransactionDispatcher
    private lateinit var callers: AndroidCallerVerifier
    private val callbacks = RemoteCallbackList<IUniPosCallback>()

    private val events = object : TransactionDispatcher.Listener {
        override fun onProgress(scope: String, requestId: String, stage: Int, message: String) =
            broadcast(scope) { it.onProgress(requestId, stage, message) }

        override fun onResult(scope: String, result: TransResult) = broadcast(scope) { it.onResult(result) }
    }

    override fun onCreate() {
        super.onCreate()
        val app = application as UniPosApplication
        val runtime = app.runtime
        dispatcher = runtime.dispatcher
        callers = AndroidCallerVerifier(this) { AndroidCallerVerifier.policyFor(runtime.settings.allowList()) }
        callers.register()
        dispatcher.addListener(events)
    }

    override fun onDestroy() {
        dispatcher.removeListener(events)
        callers.unregister()
        callbacks.kill()
        super.onDestroy()
    }

    override fun onBind(intent: Intent): IBinder = binder

    private fun rejected(v: CallerVerdict.Rejected): String {
        Log.w(TAG, "caller rejected: ${v.reason}")
        return "caller not allowed: ${v.reason}"
    }

    private val binder = object : IUniPosService.Stub() {
        override fun getContractVersion(): Int = UniPos.CONTRACT_VERSION

        override fun startTransaction(request: TransRequest?): StartResult =
            when (val v = callers.verifyBinderCaller()) {
                is CallerVerdict.Rejected -> StartResult().apply {
                    requestId = request?.requestId
                    errorCode = ErrorCodes.CALLER_NOT_ALLOWED
                    message = rejected(v)
                }
                is CallerVerdict.Allowed -> dispatcher.start(v.caller, request)
            }

        override fun queryByRequestId(requestId: String?): TransResult =
            when (val v = callers.verifyBinderCaller()) {
                is CallerVerdict.Rejected -> rejectedResult(requestId, rejected(v))
                is CallerVerdict.Allowed -> dispatcher.query(v.caller, requestId)
            }

        override fun queryLast(): TransResult =
            when (val v = callers.verifyBinderCaller()) {
                is CallerVerdict.Rejected -> rejectedResult(null, rejected(v))
                is CallerVerdict.Allowed -> dispatcher.queryLast(v.caller)
            }

        override fun cancel(requestId: String?): Int =
            when (val v = callers.verifyBinderCaller()) {
                is CallerVerdict.Rejected -> ErrorCodes.CALLER_NOT_ALLOWED.also { rejected(v) }
                is CallerVerdict.Allowed -> dispatcher.cancel(v.caller, requestId)
            }

        override fun registerCallback(callback: IUniPosCallback?) {
            when (val v = callers.verifyBinderCaller()) {
                is CallerVerdict.Rejected -> throw SecurityException(rejected(v))
                is CallerVerdict.Allowed -> if (callback != null) callbacks.register(callback, v.scope)
            }
        }

        override fun unregisterCallback(callback: IUniPosCallback?) {
            if (callback != null) callbacks.unregister(callback)
        }

        override fun queryByOrderNo(orderNo: String?): TransResult =
            when (val v = callers.verifyBinderCaller()) {
                is CallerVerdict.Rejected -> rejectedResult(null, rejected(v))
                is CallerVerdict.Allowed -> dispatcher.queryByOrderNo(v.caller, orderNo)
            }
    }

    /** beginBroadcast must not nest: results and progress arrive from the worker and binder threads. */
    private fun broadcast(scope: String, call: (IUniPosCallback) -> Unit) = synchronized(callbacks) {
        val n = callbacks.beginBroadcast()
        try {
            for (i in 0 until n) {
                if (callbacks.getBroadcastCookie(i) != scope) continue
                try {
                    call(callbacks.getBroadcastItem(i))
                } catch (e: RemoteException) {
                    // died meanwhile: RemoteCallbackList drops it; the result stays queryable
                } catch (e: RuntimeException) {
                    Log.w(TAG, "callback failed", e)   // a misbehaving local callback must not stop the others
                }
            }
        } finally {
            callbacks.finishBroadcast()
        }
    }

    private fun rejectedResult(requestId: String?, text: String) = TransResult().apply {
        version = UniPos.CONTRACT_VERSION
        this.requestId = requestId
        state = com.unipos.sdk.TransState.NOT_FOUND
        errorCode = ErrorCodes.CALLER_NOT_ALLOWED
        message = text
    }

    private companion object {
        const val TAG = "unipos/service"
    }
}
