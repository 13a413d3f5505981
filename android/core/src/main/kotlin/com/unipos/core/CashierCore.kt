package com.unipos.core

import com.unipos.core.ffi.CashierDesk
import com.unipos.core.ffi.CompletionRequest
import com.unipos.core.ffi.CompletionVoidRequest
import com.unipos.core.ffi.GuardedAction
import com.unipos.core.ffi.JournalFilter
import com.unipos.core.ffi.KeyStatus
import com.unipos.core.ffi.EchoResult
import com.unipos.core.ffi.OperatorInfo
import com.unipos.core.ffi.OriginalKey
import com.unipos.core.ffi.OriginalView
import com.unipos.core.ffi.Outcome
import com.unipos.core.ffi.PreAuthRequest
import com.unipos.core.ffi.PreAuthVoidRequest
import com.unipos.core.ffi.QrDynamicCode
import com.unipos.core.ffi.QrOrderRequest
import com.unipos.core.ffi.QrOutcome
import com.unipos.core.ffi.QrPayRequest
import com.unipos.core.ffi.QrRefundOutcome
import com.unipos.core.ffi.QrRefundRequest
import com.unipos.core.ffi.RefundRequest
import com.unipos.core.ffi.SaleRequest
import com.unipos.core.ffi.SettlementReport
import com.unipos.core.ffi.SupervisorGrant
import com.unipos.core.ffi.TerminalParameter
import com.unipos.core.ffi.Unresolved
import com.unipos.core.ffi.VoidRequest
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.withContext

/**
 * The cashier's desk of the core (the engine's `Desk`): what the terminal's own screens call.
 * The engine enforces an operator signed in before transactions and the supervisor's grant
 * ([authorizeSupervisor]) for void, refund, pre-auth void, completion void, settlement, reversal
 * retry, operator management and settings. Merchant apps never come through here.
 *
 * Passwords are handed over as Strings (the JVM cannot wipe them: keep them no longer than the
 * call); the core never returns or logs them. Operator errors have their own codes: 1101 no
 * operator signed in, 1102 supervisor's grant missing, 1103 wrong password, 1104 locked,
 * 1105 the factory password must be changed, 1106 no such operator.
 */
class CashierCore internal constructor(
    private val desk: CashierDesk,
    private val dispatcher: CoroutineDispatcher,
) {
    private suspend fun <T> call(block: (CashierDesk) -> T): PosResult<T> =
        withContext(dispatcher) { PosResult.catching { block(desk) } }

    // ---- operators ------------------------------------------------------------------------------

    suspend fun signIn(number: String, password: String): PosResult<OperatorInfo> = call { it.signIn(number, password) }
    suspend fun signOutOperator(): PosResult<Unit> = call { it.signOutOperator() }
    suspend fun currentOperator(): PosResult<OperatorInfo?> = call { it.currentOperator() }
    suspend fun operators(): PosResult<List<OperatorInfo>> = call { it.operators() }
    suspend fun authorizeSupervisor(password: String, action: GuardedAction): PosResult<SupervisorGrant> =
        call { it.authorizeSupervisor(password, action) }
    suspend fun changePassword(number: String, current: String, newPassword: String): PosResult<Unit> =
        call { it.changePassword(number, current, newPassword) }
    suspend fun addOperator(grant: String, number: String, password: String): PosResult<Unit> =
        call { it.addOperator(grant, number, password) }
    suspend fun deleteOperator(grant: String, number: String): PosResult<Unit> = call { it.deleteOperator(grant, number) }
    suspend fun resetPassword(grant: String, number: String, newPassword: String): PosResult<Unit> =
        call { it.resetPassword(grant, number, newPassword) }
    suspend fun checkSettingsGrant(grant: String): PosResult<Unit> = call { it.checkSettingsGrant(grant) }

    // ---- transactions ---------------------------------------------------------------------------

    suspend fun sale(requestId: String, amountFen: Long): PosResult<Outcome> = call { it.sale(SaleRequest(requestId, amountFen)) }
    suspend fun void(requestId: String, trace: Int, grant: String): PosResult<Outcome> =
        call { it.void(VoidRequest(requestId, trace), grant) }
    suspend fun refund(requestId: String, amountFen: Long, rrn: String, date: String, grant: String): PosResult<Outcome> =
        call { it.refund(RefundRequest(requestId, amountFen, rrn, date), grant) }
    suspend fun preAuth(requestId: String, amountFen: Long): PosResult<Outcome> = call { it.preAuth(PreAuthRequest(requestId, amountFen)) }
    suspend fun preAuthVoid(requestId: String, authCode: String, date: String, grant: String): PosResult<Outcome> =
        call { it.preAuthVoid(PreAuthVoidRequest(requestId, authCode, date), grant) }
    suspend fun completion(requestId: String, amountFen: Long, authCode: String, date: String, advice: Boolean): PosResult<Outcome> =
        call { it.completion(CompletionRequest(requestId, amountFen, authCode, date, advice)) }
    suspend fun completionVoid(requestId: String, trace: Int, grant: String): PosResult<Outcome> =
        call { it.completionVoid(CompletionVoidRequest(requestId, trace), grant) }
    suspend fun balanceInquiry(requestId: String): PosResult<Outcome> = call { it.balanceInquiry(requestId) }

    suspend fun qrPay(requestId: String, amountFen: Long, code: String): PosResult<QrOutcome> =
        call { it.qrPay(QrPayRequest(requestId, requestId, amountFen, code, null)) }
    suspend fun qrOrderCreate(requestId: String, amountFen: Long): PosResult<QrDynamicCode> =
        call { it.qrOrderCreate(QrOrderRequest(requestId, requestId, amountFen, null)) }
    suspend fun qrOrderWait(requestId: String): PosResult<QrOutcome> = call { it.qrOrderWait(requestId) }
    suspend fun qrCancel(requestId: String): PosResult<QrOutcome> = call { it.qrCancel(requestId) }
    /** [amountFen] null: the same-day void (a VOID grant); otherwise a refund (a REFUND grant). */
    suspend fun qrRefund(requestId: String, originalRequestId: String, amountFen: Long?, grant: String): PosResult<QrRefundOutcome> =
        call { it.qrRefund(QrRefundRequest(requestId, originalRequestId, amountFen, null), grant) }

    suspend fun settle(grant: String): PosResult<SettlementReport> = call { it.settle(grant) }
    suspend fun signOutTerminal(): PosResult<Unit> = call { it.signOutTerminal() }
    suspend fun reprint(trace: Int?): PosResult<List<String>> = call { it.reprint(trace) }
    suspend fun printSettlement(batch: Int): PosResult<List<String>> = call { it.printSettlement(batch) }
    suspend fun retryParkedReversals(grant: String): PosResult<Int> = call { it.retryParkedReversals(grant) }

    // ---- lookups and management -----------------------------------------------------------------

    suspend fun findOriginal(key: OriginalKey): PosResult<OriginalView> = call { it.findOriginal(key) }
    suspend fun journal(filter: JournalFilter): PosResult<List<OriginalView>> = call { it.journal(filter) }
    suspend fun qrOrders(limit: Int): PosResult<List<QrOutcome>> = call { it.qrOrders(limit) }
    suspend fun findQrOrder(number: String): PosResult<QrOutcome> = call { it.findQrOrder(number) }
    val qrDynamicDeadlineMs: Long get() = desk.qrDynamicDeadlineMs()
    suspend fun qrAcknowledge(requestId: String): PosResult<Boolean> = call { it.qrAcknowledge(requestId) }
    suspend fun unresolved(): PosResult<Unresolved> = call { it.unresolved() }
    suspend fun keyStatus(): PosResult<KeyStatus> = call { it.keyStatus() }
    suspend fun parameters(): PosResult<List<TerminalParameter>> = call { it.parameters() }
    suspend fun echoTest(): PosResult<EchoResult> = call { it.echoTest() }
    suspend fun printerTest(): PosResult<List<String>> = call { it.printerTest() }
}
