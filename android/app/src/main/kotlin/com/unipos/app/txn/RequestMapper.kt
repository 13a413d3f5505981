package com.unipos.app.txn

import com.unipos.core.ffi.Outcome
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.TransRequest
import com.unipos.sdk.TransType

/** A request the mapper refused, with the contract's error code. Nothing was sent. */
class RequestRejected(val code: Int, message: String) : Exception(message)

/**
 * Turns a validated [TransRequest] (the AIDL parcelable, or the pay Intent's extras) into the
 * engine command. Originals given by the caller's own request id are looked up through [lookup]
 * (the caller's scope of the engine's journal, read without waiting for a running transaction).
 * What the caller may do is not decided here: the core refuses what the caller is not granted.
 */
class RequestMapper(private val lookup: (requestId: String) -> Outcome?) {

    /** @throws RequestRejected when the request cannot be served (original missing, malformed). */
    fun map(r: TransRequest): CoreCommand {
        val id = r.requestId
        val original: Outcome? by lazy {
            r.origRequestId.nonEmpty()?.let { orig ->
                lookup(orig) ?: throw RequestRejected(ErrorCodes.ORIGINAL_NOT_FOUND, "no transaction $orig of this app")
            }
        }
        fun trace(): Int = r.origTraceNo.nonEmpty()?.toIntOrNull() ?: original?.trace?.takeIf { it > 0 }
            ?: throw RequestRejected(ErrorCodes.INVALID_REQUEST, "original trace missing")
        fun authCode(): String = r.origAuthCode.nonEmpty() ?: original?.authCode
            ?: throw RequestRejected(ErrorCodes.ORIGINAL_INVALID_STATE, "the original has no authorization code")
        fun date(): String = r.origDate.nonEmpty() ?: original?.date
            ?: throw RequestRejected(ErrorCodes.INVALID_REQUEST, "original date missing")

        return when (r.transType) {
            TransType.SALE -> CoreCommand.Sale(id, r.amount, r.payMethod, r.paymentCode.nonEmpty())
            TransType.VOID -> {
                val o = original
                if (o != null && isQr(o)) CoreCommand.QrRefund(id, o.requestId, null) else CoreCommand.Void(id, trace())
            }
            TransType.REFUND -> {
                val qrOrder = r.origQrOrderNo.nonEmpty()
                val o = if (qrOrder == null) original else null
                when {
                    qrOrder != null -> CoreCommand.QrRefund(id, qrOrder, r.amount)
                    o != null && isQr(o) -> CoreCommand.QrRefund(id, o.requestId, r.amount)
                    else -> {
                        val rrn = r.origReferenceNo.nonEmpty() ?: o?.rrn
                            ?: throw RequestRejected(ErrorCodes.ORIGINAL_INVALID_STATE, "the original has no reference number")
                        CoreCommand.Refund(id, r.amount, rrn, date())
                    }
                }
            }
            TransType.PREAUTH -> CoreCommand.PreAuth(id, r.amount)
            TransType.PREAUTH_VOID -> CoreCommand.PreAuthVoid(id, authCode(), date())
            TransType.PREAUTH_COMPLETION -> CoreCommand.Completion(id, r.amount, authCode(), date())
            TransType.PREAUTH_COMPLETION_VOID -> CoreCommand.CompletionVoid(id, trace())
            TransType.BALANCE_INQUIRY -> CoreCommand.Balance(id)
            TransType.SETTLEMENT -> CoreCommand.Settle(id)
            TransType.SIGN_IN -> CoreCommand.SignIn(id)
            TransType.REPRINT -> CoreCommand.Reprint(id, r.origRequestId.nonEmpty(), r.origTraceNo.nonEmpty()?.toIntOrNull())
            else -> throw RequestRejected(ErrorCodes.UNSUPPORTED_TRANSACTION, "transType ${r.transType}")
        }
    }

    private fun isQr(o: Outcome) = o.qrOrderNo != null

    private fun String?.nonEmpty(): String? = this?.takeIf { it.isNotEmpty() }
}
