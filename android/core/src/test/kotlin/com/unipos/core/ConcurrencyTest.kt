package com.unipos.core

import com.unipos.core.ffi.OutcomeStatus
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors

/** Concurrent calls from several Kotlin threads are serialised by the engine: no corrupt state. */
class ConcurrencyTest {
    @Test fun concurrent_sales_queries_and_duplicates_from_many_threads() {
        val rig = Rig("62969004")
        val core = rig.open()
        runBlocking { core.startup().ok() }
        val before = HostSim.available(HostDefaults.CARD)
        val pool = Executors.newFixedThreadPool(8)
        val start = CountDownLatch(1)
        // 8 distinct sales, each also submitted a second time with the same id, plus queries.
        val futures = (1..8).flatMap { i ->
            listOf(
                pool.submit<PosResult<com.unipos.core.ffi.Outcome?>> { start.await(); runBlocking { core.sale("conc-$i", 100L + i) } },
                pool.submit<PosResult<com.unipos.core.ffi.Outcome?>> { start.await(); runBlocking { core.sale("conc-$i", 100L + i) } },
                // A query may run before any sale is journalled: "nothing yet" is a valid answer.
                pool.submit<PosResult<com.unipos.core.ffi.Outcome?>> { start.await(); runBlocking { core.queryLast() } },
            )
        }
        start.countDown()
        val results = futures.map { it.get() }
        pool.shutdown()
        val queries = results.filterIndexed { idx, _ -> idx % 3 == 2 }
        assertTrue(queries.all { it is PosResult.Success })
        val sales = results.filterIndexed { idx, _ -> idx % 3 != 2 }
        // every sale call either approved or (duplicate racing) reported in-progress: never a second charge
        for (r in sales) {
            when (r) {
                is PosResult.Success -> assertEquals(OutcomeStatus.APPROVED, r.value?.status)
                is PosResult.Failure -> assertEquals(r.message, 1002, r.code)
            }
        }
        val journal = runBlocking { core.journal(100).ok() }.filter { it.requestId.startsWith("conc-") }
        assertEquals(8, journal.size)
        assertEquals(8, journal.map { it.trace }.toSet().size)
        assertTrue(journal.all { it.status == OutcomeStatus.APPROVED })
        val charged = (1..8).sumOf { 100L + it }
        assertEquals(before - charged, HostSim.available(HostDefaults.CARD))

        // the coroutine API too: parallel suspend calls on Dispatchers.IO
        val outs = runBlocking(Dispatchers.Default) {
            (1..4).map { i -> async { core.sale("conc-co-$i", 10L) } }.awaitAll()
        }
        assertTrue(outs.all { it.ok().status == OutcomeStatus.APPROVED })
        assertEquals(4, runBlocking { core.journal(100).ok() }.count { it.requestId.startsWith("conc-co-") })
        core.close()
    }
}
