// A two-stage pipelined signed 8x8 multiplier in SystemVerilog with an active-low reset,
// written by hand for arithbench's tests: operands registered, then the product registered.
module smul8_pipe2 (
    input  logic              clock,
    input  logic              rst_n,
    input  logic signed [7:0] x,
    input  logic signed [7:0] w,
    output logic signed [15:0] p
);
    logic signed [7:0] xr, wr;
    always_ff @(posedge clock) begin
        if (!rst_n) begin
            xr <= '0;
            wr <= '0;
            p  <= '0;
        end else begin
            xr <= x;
            wr <= w;
            p  <= xr * wr;
        end
    end
endmodule
