"""The chain's explorer in the browser: pages under /explorer/ that read only the node's public
interfaces (Ethereum JSON-RPC, CometBFT RPC, abci_query). `miles start` serves it on the
gateway's port; `miles explorer --rpc URL --gateway URL` serves one for any node."""
