package com.unipos.sdk;
interface IUniPosCallback {
  oneway void onProgress(String requestId, int stage, String message);
  oneway void onResult(in com.unipos.sdk.TransResult result);
}
