"""cocotb co-simulation: vector plans, lane packing, the bench and the runner."""
