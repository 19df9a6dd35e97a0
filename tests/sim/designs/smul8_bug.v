// The same multiplier with a planted bug: the product of -128 and -128 comes out negative.
module smul8_bug (
    input  wire signed [7:0] x,
    input  wire signed [7:0] w,
    output wire signed [15:0] p
);
    wire signed [15:0] full = x * w;
    assign p = (x == -8'sd128 && w == -8'sd128) ? -full : full;
endmodule
