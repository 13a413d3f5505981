package com.unipos.app

import com.unipos.app.txn.CoreCommand
import com.unipos.app.txn.EngineResult
import com.unipos.app.txn.InMemoryRegistryStore
import com.unipos.app.txn.PaymentEngine
import com.unipos.app.txn.ResultMapper
import com.unipos.app.txn.TransactionDispatcher
import com.unipos.app.txn.TransactionRegistry
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

/** Dispatcher and result decisions with a scripted engine: plain JVM, no Robolectric, no Rust. */
class DispatcherTest {
    private class ScriptedEngine : PaymentEngine {
        val gate = CountDownLatch(1)
        val runs = mutableListOf<CoreCommand>()
        override fun startup() = EngineResult.Failed(PosResult.Failure(ErrorCodes.NO_CONNECTION, "offline"))
        override fun run(command: CoreCommand): EngineResult {
            runs += command
            gate.await()
            return EngineResult.Failed(PosResult.Failure(ErrorCodes.CARD_WAIT_TIMEOUT, "no card"))
        }
        override fun lookup(engineId: String): Outcome? = null
        override fun journal(limit: Int) = emptyList<Outcome>()
        override fun unresolved() = emptyList<Outcome>()
        override fun cancelCardWait() {}
        override fun setProgressListener(listener: ((ProgressEvent) -> Unit)?) {}
        override fun setQrCodeListener(listener: ((String, String, ByteArray) -> Unit)?) {}
    }

    @Test fun one_at_a_time_idempotent_and_scoped() {
        val engine = ScriptedEngine()
        val d = TransactionDispatcher(engine, TransactionRegistry(InMemoryRegistryStore()))
        assertEquals(ErrorCodes.OK, d.start("a", Requests.sale("o-1", 100)).errorCode)
        assertEquals(ErrorCodes.REQUEST_IN_PROGRESS, d.start("a", Requests.sale("o-1", 100)).errorCode)
        assertEquals(ErrorCodes.REQUEST_ID_CONFLICT, d.start("a", Requests.sale("o-1", 101)).errorCode)
        assertEquals(ErrorCodes.TERMINAL_BUSY, d.start("b", Requests.sale("o-1", 100)).errorCode)
        assertEquals(TransState.PENDING, d.query("a", "o-1").state)
        assertEquals(TransState.NOT_FOUND, d.query("b", "o-1").state)
        assertEquals(ErrorCodes.INVALID_AMOUNT, d.start("a", Requests.sale("o-2", 0)).errorCode)
        engine.gate.countDown()
        d.awaitIdle(5_000)
        val r = d.query("a", "o-1")
        assertEquals(TransState.FAILED, r.state)
        assertEquals(ErrorCodes.CARD_WAIT_TIMEOUT, r.errorCode)
        assertEquals(ErrorCodes.REQUEST_ALREADY_DONE, d.start("a", Requests.sale("o-1", 100)).errorCode)
        assertEquals(1, engine.runs.size)
        d.close()
    }

    @Test fun accepted_but_never_stored_by_the_engine_reads_as_failed_after_a_restart() {
        val store = InMemoryRegistryStore()
        val engine = ScriptedEngine()
        val first = TransactionDispatcher(engine, TransactionRegistry(store))
        first.start("a", Requests.sale("o-9", 500))   // the process "dies" while this waits
        val restarted = TransactionDispatcher(ScriptedEngine(), TransactionRegistry(store))
        val r = restarted.query("a", "o-9")
        assertEquals(TransState.FAILED, r.state)
        assertEquals(ErrorCodes.INTERNAL_ERROR, r.errorCode)
        assertEquals(ErrorCodes.REQUEST_ALREADY_DONE, restarted.start("a", Requests.sale("o-9", 500)).errorCode)
        engine.gate.countDown(); first.close(); restarted.close()
    }

    @Test fun trans_time_year_of_a_december_transaction_queried_in_january() {
        val jan2 = Calendar.getInstance().apply { set(2026, Calendar.JANUARY, 2) }
        assertEquals("20251231235959", ResultMapper { jan2 }.transTime("1231", "235959"))
        assertEquals("20260102080000", ResultMapper { jan2 }.transTime("0102", "080000"))
    }
}
