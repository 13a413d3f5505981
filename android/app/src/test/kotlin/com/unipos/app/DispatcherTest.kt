package com.unipos.app

import com.unipos.app.policy.AppCaller
import com.unipos.app.txn.CoreCommand
import com.unipos.app.txn.EngineResult
import com.unipos.app.txn.Known
import com.unipos.app.txn.PaymentEngine
import com.unipos.app.txn.ProgressTexts
import com.unipos.app.txn.RequestExtras
import com.unipos.app.txn.ResultMapper
import com.unipos.app.txn.TransactionDispatcher
import com.unipos.core.PosResult
import com.unipos.core.ffi.Outcome
import com.unipos.core.ffi.ProgressEvent
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.Requests
import com.unipos.sdk.TransState
import org.junit.Assert.assertEquals
import org.junit.Test
import java.util.Calendar
import java.util.concurrent.CountDownLatch

/**
 * Dispatcher decisions with a scripted engine: plain JVM, no Robolectric, no Rust. The engine's
 * journal answers "known?" and queries; the dispatcher keeps only the running job.
 */
class DispatcherTest {
    private class ScriptedEngine(val known: Known = Known.New) : PaymentEngine {
        val gate = CountDownLatch(1)
        val runs = mutableListOf<CoreCommand>()
        override fun startup() = EngineResult.Failed(PosResult.Failure(ErrorCodes.NO_CONNECTION, "offline"))
        override fun run(caller: AppCaller, command: CoreCommand, fields: RequestExtras): EngineResult {
            runs += command
            gate.await()
            return EngineResult.Failed(PosResult.Failure(ErrorCodes.CARD_WAIT_TIMEOUT, "no card"))
        }
        override fun known(caller: AppCaller, command: CoreCommand, orderNo: String?) = known
        override fun query(caller: AppCaller, requestId: String): Outcome? = null
        override fun queryLast(caller: AppCaller): Outcome? = null
        override fun queryByOrderNo(caller: AppCaller, orderNo: String): Outcome? = null
        override fun journal(limit: Int) = emptyList<Outcome>()
        override fun unresolved() = emptyList<Outcome>()
        override fun cancelWait() {}
        override fun setProgressListener(listener: ((ProgressEvent) -> Unit)?) {}
        override fun setQrCodeListener(listener: ((String, String, ByteArray) -> Unit)?) {}
    }

    private val texts = ProgressTexts { stage, _ -> "stage $stage" }
    private val a = AppCaller("a", setOf(com.unipos.core.ffi.Capability.SALE))
    private val b = AppCaller("b", setOf(com.unipos.core.ffi.Capability.SALE))

    @Test fun one_at_a_time_and_scoped() {
        val engine = ScriptedEngine()
        val d = TransactionDispatcher(engine, texts)
        assertEquals(ErrorCodes.OK, d.start(a, Requests.sale("o-1", 100)).errorCode)
        assertEquals(ErrorCodes.REQUEST_IN_PROGRESS, d.start(a, Requests.sale("o-1", 100)).errorCode)
        assertEquals(ErrorCodes.TERMINAL_BUSY, d.start(b, Requests.sale("o-1", 100)).errorCode)
        assertEquals(TransState.PENDING, d.query(a, "o-1").state)
        assertEquals(TransState.NOT_FOUND, d.query(b, "o-1").state)
        assertEquals(ErrorCodes.INVALID_AMOUNT, d.start(a, Requests.sale("o-2", 0)).errorCode)
        engine.gate.countDown()
        d.awaitIdle(5_000)
        assertEquals(1, engine.runs.size)
        d.close()
    }

    @Test fun what_the_journal_knows_is_answered_at_once_and_never_run_again() {
        val conflict = ScriptedEngine(Known.Refused(PosResult.Failure(ErrorCodes.REQUEST_ID_CONFLICT, "used for another request")))
        val d = TransactionDispatcher(conflict, texts)
        assertEquals(ErrorCodes.REQUEST_ID_CONFLICT, d.start(a, Requests.sale("o-1", 101)).errorCode)
        d.awaitIdle(5_000)
        assertEquals(0, conflict.runs.size)
        d.close()
    }

    @Test fun trans_time_year_of_a_december_transaction_queried_in_january() {
        val jan2 = Calendar.getInstance().apply { set(2026, Calendar.JANUARY, 2) }
        assertEquals("20251231235959", ResultMapper({ jan2 }).transTime("1231", "235959"))
        assertEquals("20260102080000", ResultMapper({ jan2 }).transTime("0102", "080000"))
    }
}
