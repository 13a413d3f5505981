package com.unipos.app.txn

import com.unipos.core.ffi.Outcome
import com.unipos.core.ffi.TxnKind
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.PayMethod
import com.unipos.sdk.TransRequest
import com.unipos.sdk.TransType

/** A request the mapper refused, with the contract's error code. Nothing was sent. */
class RequestRejected(val code: Int, message: String) : Exception(message)

/**
 * Turns a validated [TransRequest] (the AIDL parcelable, or the pay Intent's extras) into the
 * engine command. Originals given by the caller's own request id are looked up through [lookup]
 * (the engine's journal, so it runs on the dispatcher's worker, never on a binder thread).
 */
class RequestMapper(private val lookup: (engineId: String) -> Outcome?) {

    /** @throws RequestRejected when the request cannot be served (original missing, QR refund...). */
    fun map(scope: String, r: TransRequest): CoreCommand {
        val id = EngineIds.of(scope, r.requestId)
        val original: Outcome? by lazy {
            r.origRequestId.takeUnless { it.isNullOrEmpty() }?.let { orig ->
                lookup(EngineIds.of(scope, orig)) ?: throw RequestRejected(ErrorCodes.ORIGINAL_NOT_FOUND, "no transaction $orig")
            }
        }
        fun trace(): Int = r.origTraceNo.nonEmpty()?.toInt() ?: original?.trace
            ?: throw RequestRejected(ErrorCodes.INVALID_REQUEST, "original trace missing")
        fun authCode(): String = r.origAuthCode.nonEmpty() ?: original?.authCode
            ?: throw RequestRejected(ErrorCodes.ORIGINAL_INVALID_STATE, "the original has no authorization code")
        fun date(): String = r.origDate.nonEmpty() ?: original?.date
            ?: throw RequestRejected(ErrorCodes.INVALID_REQUEST, "original date missing")

        return when (r.transType) {
            TransType.SALE -> CoreCommand.Sale(id, r.amount, r.payMethod)
            TransType.VOID -> {
                original?.let { requireCard(it) }
                CoreCommand.Void(id, trace())
            }
            TransType.REFUND -> {
                if (!r.origQrOrderNo.isNullOrEmpty() || original?.let { isQr(it) } == true) {
                    throw RequestRejected(ErrorCodes.UNSUPPORTED_TRANSACTION, "QR refunds are not available through this version")
                }
                val rrn = r.origReferenceNo.nonEmpty() ?: original?.rrn
                    ?: throw RequestRejected(ErrorCodes.ORIGINAL_INVALID_STATE, "the original has no reference number")
                CoreCommand.Refund(id, r.amount, rrn, date())
            }
            TransType.PREAUTH -> CoreCommand.PreAuth(id, r.amount)
            TransType.PREAUTH_VOID -> CoreCommand.PreAuthVoid(id, authCode(), date())
            TransType.PREAUTH_COMPLETION -> CoreCommand.Completion(id, r.amount, authCode(), date())
            TransType.PREAUTH_COMPLETION_VOID -> CoreCommand.CompletionVoid(id, trace())
            TransType.BALANCE_INQUIRY -> CoreCommand.Balance(id)
            TransType.SETTLEMENT -> CoreCommand.Settle(id)
            TransType.SIGN_IN -> CoreCommand.SignIn(id)
            TransType.REPRINT -> CoreCommand.Reprint(id, r.origTraceNo.nonEmpty()?.toInt() ?: original?.trace)
            else -> throw RequestRejected(ErrorCodes.UNSUPPORTED_TRANSACTION, "transType ${r.transType}")
        }
    }

    private fun isQr(o: Outcome) = o.kind == TxnKind.QR_PAY || o.kind == TxnKind.QR_REFUND

    private fun requireCard(o: Outcome) {
        if (isQr(o)) throw RequestRejected(ErrorCodes.UNSUPPORTED_TRANSACTION, "QR voids are not available through this version")
    }

    private fun String?.nonEmpty(): String? = this?.takeIf { it.isNotEmpty() }

    companion object {
        /**
         * What makes two requests with the same id "the same request": a repeat must match it, or
         * it is REQUEST_ID_CONFLICT. Print mode, remark and order number may differ on a retry.
         */
        fun fingerprint(r: TransRequest): String = listOf(
            r.transType, if (r.transType == TransType.SALE) r.payMethod else PayMethod.CHOOSE, r.amount,
            r.origRequestId, r.origTraceNo, r.origReferenceNo, r.origAuthCode, r.origDate, r.origQrOrderNo,
        ).joinToString("|") { it?.toString().orEmpty() }
    }
}
