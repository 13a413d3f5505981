package com.unipos.app

import com.unipos.app.policy.AllowList
import com.unipos.app.policy.AppCaller
import com.unipos.core.ffi.Capability
import com.unipos.app.policy.CallerIdentity
import com.unipos.app.policy.CallerPolicy
import com.unipos.app.policy.CallerVerdict
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

/** The caller verification policy as plain Kotlin (no Android runtime needed). */
class CallerPolicyTest {
    private val good = "AB".repeat(32)
    private val bad = "CD".repeat(32)
    private val list = AllowList.parse("com.shop=${good.chunked(2).joinToString(":").lowercase()}  # apksigner form\n")

    private fun caller(vararg pkgs: Pair<String, String>, uid: Int = 10_050, permission: Boolean = false) =
        CallerIdentity(uid, pkgs.map { it.first }, pkgs.associate { it.first to setOf(it.second) }, permission)

    @Test fun own_uid_is_the_cashier_scope() {
        assertEquals(CallerVerdict.Allowed(AppCaller.CASHIER), CallerPolicy(list, 10_001, 30).verify(caller(uid = 10_001)))
    }

    @Test fun listed_package_with_listed_certificate() {
        assertEquals(CallerVerdict.Allowed(AppCaller("com.shop", setOf(Capability.SALE, Capability.QR))), CallerPolicy(list, 1, 30).verify(caller("com.shop" to good)))
    }

    @Test fun wrong_certificate_unlisted_package_and_unknown_uid_are_rejected() {
        val p = CallerPolicy(list, 1, 30)
        assertTrue(p.verify(caller("com.shop" to bad)) is CallerVerdict.Rejected)
        assertTrue(p.verify(caller("com.other" to good)) is CallerVerdict.Rejected)
        assertTrue(p.verify(caller()) is CallerVerdict.Rejected)
        // a shared uid cannot bring an unlisted app in with a listed one
        assertTrue(p.verify(caller("com.shop" to good, "com.other" to good)) is CallerVerdict.Rejected)
        // every signer must be listed
        val twoSigners = CallerIdentity(10_050, listOf("com.shop"), mapOf("com.shop" to setOf(good, bad)), false)
        assertTrue(p.verify(twoSigners) is CallerVerdict.Rejected)
    }

    @Test fun permission_is_required_from_android_12() {
        assertTrue(CallerPolicy(list, 1, 31).verify(caller("com.shop" to good)) is CallerVerdict.Rejected)
        assertEquals("com.shop", (CallerPolicy(list, 1, 31).verify(caller("com.shop" to good, permission = true)) as CallerVerdict.Allowed).scope)
    }

    @Test fun allow_list_entries_grant_capabilities_and_default_to_sale_and_qr() {
        val text = "com.shop=$good;sale,qr,void,refund\ncom.kiosk=$good\ncom.bad=$good;sale,teleport\n"
        val l = AllowList.parse(text)
        assertEquals(setOf(Capability.SALE, Capability.QR, Capability.VOID, Capability.REFUND), l.capabilitiesOf("com.shop"))
        assertEquals(setOf(Capability.SALE, Capability.QR), l.capabilitiesOf("com.kiosk"))
        assertTrue("a line with an unknown capability admits nobody", l.certsFor("com.bad").isEmpty())
        // a shared uid gets only what every package of it is granted
        val shared = CallerPolicy(l, 1, 30).verify(caller("com.shop" to good, "com.kiosk" to good)) as CallerVerdict.Allowed
        assertEquals(setOf(Capability.SALE, Capability.QR), shared.caller.capabilities)
    }
}
