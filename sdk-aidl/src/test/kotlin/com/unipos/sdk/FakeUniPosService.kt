package com.unipos.sdk

import android.os.Binder
import android.os.DeadObjectException
import android.os.IInterface
import android.os.Parcel
import android.os.RemoteCallbackList

/**
 * A test double of the payment app's service, written the way android/app must write the real one:
 * every call returns at once, request ids are idempotency keys (persisted before anything else),
 * callbacks live in a RemoteCallbackList. The "terminal" is driven by the test ([complete], [progress]).
 */
class FakeUniPosService : IUniPosService.Stub() {
    val results = LinkedHashMap<String, TransResult>()
    val requests = LinkedHashMap<String, TransRequest>()
    val callbacks = RemoteCallbackList<IUniPosCallback>()
    var starts = 0
    var queries = 0
    var rejectWith = ErrorCodes.OK
    var throwSecurityOnRegister = false

    override fun getContractVersion(): Int = UniPos.CONTRACT_VERSION

    @Synchronized
    override fun startTransaction(request: TransRequest?): StartResult {
        val check = RequestValidator.check(request)
        val id = request?.requestId
        fun answer(code: Int) = StartResult().apply { requestId = id; errorCode = code; message = ErrorCodes.describe(code) }
        if (!check.ok) return answer(check.errorCode)
        if (rejectWith != ErrorCodes.OK) return answer(rejectWith)
        results[id!!]?.let {
            val first = requests[id]
            // as the terminal's journal does: the same id for a different request is a conflict
            if (first != null && (first.transType != request.transType || first.amount != request.amount)) {
                return answer(ErrorCodes.REQUEST_ID_CONFLICT)
            }
            return answer(if (TransState.isFinal(it.state)) ErrorCodes.REQUEST_ALREADY_DONE else ErrorCodes.REQUEST_IN_PROGRESS)
        }
        starts++
        requests[id] = request
        results[id] = TransResult().apply {
            requestId = id; transType = request.transType; amount = request.amount; orderNo = request.orderNo
            state = TransState.PENDING; errorCode = ErrorCodes.OK; message = "accepted"
        }
        return answer(ErrorCodes.OK)
    }

    @Synchronized
    override fun queryByRequestId(requestId: String?): TransResult {
        queries++
        return results[requestId] ?: TransResult().apply {
            this.requestId = requestId; state = TransState.NOT_FOUND; errorCode = ErrorCodes.NOT_FOUND
        }
    }

    @Synchronized
    override fun queryByOrderNo(orderNo: String?): TransResult =
        results.values.lastOrNull { it.orderNo == orderNo } ?: TransResult().apply { state = TransState.NOT_FOUND; errorCode = ErrorCodes.NOT_FOUND }

    @Synchronized
    override fun queryLast(): TransResult =
        results.values.lastOrNull() ?: TransResult().apply { state = TransState.NOT_FOUND; errorCode = ErrorCodes.NOT_FOUND }

    @Synchronized
    override fun cancel(requestId: String?): Int {
        val r = results[requestId] ?: return ErrorCodes.NOT_FOUND
        return if (r.state == TransState.PENDING) ErrorCodes.OK else ErrorCodes.CANCEL_NOT_ALLOWED
    }

    override fun registerCallback(callback: IUniPosCallback?) {
        if (throwSecurityOnRegister) throw SecurityException("caller not on the allow-list")
        if (callback != null) callbacks.register(callback)
    }

    override fun unregisterCallback(callback: IUniPosCallback?) {
        if (callback != null) callbacks.unregister(callback)
    }

    /** The terminal finished [id]: store the outcome, then (optionally) tell the registered callbacks. */
    fun complete(id: String, notify: Boolean = true, fill: TransResult.() -> Unit = {
        state = TransState.APPROVED; approvedAmount = amount; channel = Channel.CARD
        traceNo = "000123"; referenceNo = "123456789012"; authCode = "A1B2C3"; batchNo = "000001"
        maskedPan = "622202******1234"; responseCode = "00"; transTime = "20261121120000"
    }): TransResult {
        val r = synchronized(this) { results.getValue(id).apply(fill) }
        if (notify) broadcast { it.onResult(r) }
        return r
    }

    fun progress(id: String, stage: Int) = broadcast { it.onProgress(id, stage, "stage $stage") }

    private fun broadcast(call: (IUniPosCallback) -> Unit) {
        val n = callbacks.beginBroadcast()
        try {
            for (i in 0 until n) call(callbacks.getBroadcastItem(i))
        } finally {
            callbacks.finishBroadcast()
        }
    }
}

/**
 * Makes a local Binder look remote: queryLocalInterface returns null, so asInterface() builds the
 * generated Proxy and every call is marshalled through real android.os.Parcel objects into the
 * generated Stub.onTransact. [dieAfterCode] simulates a service process dying after it received
 * a call, before the reply reached the client (the reply is lost: DeadObjectException).
 */
class RemoteLikeBinder(private val target: Binder) : Binder() {
    /** Binder transaction code after which the "process dies" once (-1: never). */
    var dieAfterCode = -1
    var transactions = 0

    override fun queryLocalInterface(descriptor: String): IInterface? = null

    override fun onTransact(code: Int, data: Parcel, reply: Parcel?, flags: Int): Boolean {
        transactions++
        val handled = target.transact(code, data, reply, flags)
        if (code == dieAfterCode) { dieAfterCode = -1; throw DeadObjectException() }
        return handled
    }
}
