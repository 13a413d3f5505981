package com.unipos.app.txn

import com.unipos.core.ffi.CompletionRequest
import com.unipos.core.ffi.CompletionVoidRequest
import com.unipos.core.ffi.PreAuthRequest
import com.unipos.core.ffi.PreAuthVoidRequest
import com.unipos.core.ffi.QrOrderRequest
import com.unipos.core.ffi.QrPayRequest
import com.unipos.core.ffi.QrRefundRequest
import com.unipos.core.ffi.RefundRequest
import com.unipos.core.ffi.SaleRequest
import com.unipos.core.ffi.ScopedRequest
import com.unipos.core.ffi.VoidRequest
import com.unipos.sdk.PayMethod

/**
 * [CoreCommand]s as the core's [ScopedRequest]s: the last step of a third-party request's decoding
 * before the engine (also what the JVM fuzz target drives: scripts/fuzz-jvm.sh).
 */
object ScopedRequests {
    /** The request a non-sale command is served as. */
    fun of(command: CoreCommand): ScopedRequest? = when (command) {
        is CoreCommand.Sale -> null
        is CoreCommand.Void -> ScopedRequest.Void(VoidRequest(command.requestId, command.trace))
        is CoreCommand.Refund -> ScopedRequest.Refund(RefundRequest(command.requestId, command.amount, command.rrn, command.date))
        is CoreCommand.QrRefund -> ScopedRequest.QrRefund(QrRefundRequest(command.requestId, command.original, command.amount, null))
        is CoreCommand.PreAuth -> ScopedRequest.PreAuth(PreAuthRequest(command.requestId, command.amount))
        is CoreCommand.PreAuthVoid -> ScopedRequest.PreAuthVoid(PreAuthVoidRequest(command.requestId, command.authCode, command.date))
        is CoreCommand.Completion -> ScopedRequest.Completion(CompletionRequest(command.requestId, command.amount, command.authCode, command.date, false))
        is CoreCommand.CompletionVoid -> ScopedRequest.CompletionVoid(CompletionVoidRequest(command.requestId, command.trace))
        is CoreCommand.Balance -> ScopedRequest.Balance(command.requestId)
        is CoreCommand.Settle -> ScopedRequest.Settle
        is CoreCommand.SignIn -> ScopedRequest.SignIn
        is CoreCommand.Reprint -> ScopedRequest.Reprint(command.originalRequestId, command.trace)
    }

    /**
     * The forms a sale may have been journalled in: a card sale, a scanned-code QR payment or a
     * shown-code QR order (a CHOOSE sale: any of them, the cashier picked one). The payment code is
     * not part of a QR fingerprint, so the probe carries a placeholder that is never sent.
     */
    fun saleForms(s: CoreCommand.Sale, orderNo: String?): List<ScopedRequest> {
        val order = businessOrder(s, orderNo)
        val card = ScopedRequest.Sale(SaleRequest(s.requestId, s.amount))
        val scanned = ScopedRequest.QrPay(QrPayRequest(s.requestId, order, s.amount, PROBE_CODE, null))
        val shown = ScopedRequest.QrShowCreate(QrOrderRequest(s.requestId, order, s.amount, null))
        return when {
            s.paymentCode != null || s.payMethod == PayMethod.QR_SCAN -> listOf(scanned)
            s.payMethod == PayMethod.QR_SHOW -> listOf(shown)
            s.payMethod == PayMethod.CARD -> listOf(card)
            else -> listOf(card, scanned, shown)
        }
    }

    /**
     * The business order of a QR payment: the merchant's order number, else the request id. An empty
     * orderNo means none (found by the JVM fuzzer: it was sent on as an empty, refused order id).
     */
    fun businessOrder(s: CoreCommand.Sale, orderNo: String?): String = orderNo?.takeIf { it.isNotEmpty() } ?: s.requestId

    /** A well-formed payment code for [saleForms] only (fingerprints never include the code). */
    private const val PROBE_CODE = "134567890123456789"
}
