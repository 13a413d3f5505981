package com.unipos.core

import com.unipos.core.ffi.GuardedAction
import com.unipos.core.ffi.JournalFilter
import com.unipos.core.ffi.KindGroup
import com.unipos.core.ffi.OriginalKey
import com.unipos.core.ffi.OutcomeStatus
import com.unipos.core.ffi.PosException
import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.FixMethodOrder
import org.junit.Test
import org.junit.runners.MethodSorters

/**
 * The cashier's desk through the Kotlin wrapper over the real library and host: operator sign-in,
 * the supervisor's first password change, grants for the guarded operations, the lock's code, and
 * the lookups the screens use.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
class CashierDeskTest {
    companion object {
        private val rig = Rig("62969006")
        private lateinit var core: PosCore
        private val desk get() = core.desk

        @BeforeClass @JvmStatic fun open() {
            core = rig.open()
            runBlocking { core.startup().ok() }
        }
        @AfterClass @JvmStatic fun close() { core.close() }
    }

    @Test fun d01_operator_and_supervisor_first_use() = runBlocking {
        assertEquals(1101, desk.sale("desk-early", 100).failure().code)
        val f = desk.authorizeSupervisor("123456", GuardedAction.SETTLEMENT).failure()
        assertEquals(1105, f.code)
        assertTrue(f.cause is PosException.PasswordChangeRequired)
        desk.changePassword("00", "123456", "975310").ok()
        val g = desk.authorizeSupervisor("975310", GuardedAction.OPERATOR_MANAGEMENT).ok()
        desk.addOperator(g.token, "03", "3030").ok()
        val me = desk.signIn("03", "3030").ok()
        assertTrue(me.signedIn)
        assertEquals("03", desk.currentOperator().ok()!!.number)
    }

    @Test fun d02_void_needs_the_grant_and_the_lock_reports_its_time() = runBlocking {
        val sale = desk.sale("desk-sale-1", 2_300).ok()
        assertEquals(OutcomeStatus.APPROVED, sale.status)
        assertEquals(1102, desk.void("desk-void-0", sale.trace, "made-up").failure().code)
        val wrong = desk.authorizeSupervisor("000000", GuardedAction.VOID).failure()
        assertEquals(1103, wrong.code)
        assertEquals(2, (wrong.cause as PosException.WrongPassword).attemptsLeft)
        assertFalse(wrong.message.contains("000000"))
        val g = desk.authorizeSupervisor("975310", GuardedAction.VOID).ok()
        val void = desk.void("desk-void-1", sale.trace, g.token).ok()
        assertEquals(OutcomeStatus.APPROVED, void.status)
        val view = desk.findOriginal(OriginalKey.Trace(sale.trace)).ok()
        assertTrue(view.voided)
        assertEquals("003", view.operator)
        val voids = desk.journal(JournalFilter(KindGroup.VOIDS, null, null, 20)).ok()
        assertEquals(1, voids.size)
        assertTrue(desk.unresolved().ok().pendingReversals.isEmpty())
    }

    @Test fun d03_management_lookups() = runBlocking {
        val keys = desk.keyStatus().ok()
        assertTrue(keys.workKeysInstalled)
        assertTrue(keys.keys.any { it.role == "MAK" && it.checkValue.length == 8 })
        assertTrue(desk.parameters().ok().any { it.name == "terminal_id" && it.value == "62969006" })
        assertEquals("00", desk.echoTest().ok().responseCode)
        assertTrue(desk.printerTest().ok().isNotEmpty())
        assertTrue(core.version.isNotEmpty())
    }
}
