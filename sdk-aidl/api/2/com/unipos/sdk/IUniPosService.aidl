package com.unipos.sdk;
interface IUniPosService {
  int getContractVersion();
  com.unipos.sdk.StartResult startTransaction(in com.unipos.sdk.TransRequest request);
  com.unipos.sdk.TransResult queryByRequestId(String requestId);
  com.unipos.sdk.TransResult queryLast();
  int cancel(String requestId);
  void registerCallback(com.unipos.sdk.IUniPosCallback callback);
  void unregisterCallback(com.unipos.sdk.IUniPosCallback callback);
}
